namespace Orleans.Raft.StateMachine;

/// <summary>
/// The result of applying one command: for reads and failed compares, Value is the current value. ValueOmitted marks
/// a retried failed compare whose found value was too large to remember: Value is then null but says nothing. For a
/// transaction, Txn holds its outcome; for a lease grant, Value holds the new lease's id.
/// </summary>
public readonly record struct ApplyResult(ApplyStatus Status, string? Value, bool ValueOmitted = false, TxnResult? Txn = null);
