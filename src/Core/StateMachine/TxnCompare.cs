namespace Orleans.Raft.StateMachine;

/// <summary>
/// One condition of a transaction. For <see cref="CompareTarget.Value"/> the operand is Value (ordinal comparison),
/// for the others Number. As in etcd, a missing key has version, revisions and lease 0, and a value compare on a
/// missing key is false whatever the operator.
/// </summary>
public sealed record TxnCompare(string Key, CompareTarget Target, CompareOperator Operator, string? Value = null, long Number = 0);
