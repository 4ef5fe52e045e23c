namespace Orleans.Raft.StateMachine;

/// <summary>etcd's If/Then/Else: when every compare holds, Success runs, else Failure; all of it at one revision.</summary>
public sealed record TxnCommand(IReadOnlyList<TxnCompare> Compares, IReadOnlyList<TxnOp> Success, IReadOnlyList<TxnOp> Failure);
