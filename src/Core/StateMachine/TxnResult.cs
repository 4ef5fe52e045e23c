namespace Orleans.Raft.StateMachine;

/// <summary>
/// A transaction's outcome: which branch ran, the group's revision after it, and each operation's result. A retry of a
/// transaction already applied in a session reports Succeeded and Revision, with no results (Results is empty).
/// </summary>
public sealed record TxnResult(bool Succeeded, long Revision, IReadOnlyList<TxnOpResult> Results);
