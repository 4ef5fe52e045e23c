namespace Orleans.Raft.Linearizability;

/// <summary>
/// What an acknowledged transaction answered: which branch ran, and what each step of that branch read (for a get,
/// the value, null when absent; null for puts and deletes). Reads null: the answer did not carry them (a retry
/// answered from the session's record), so only the branch is known.
/// </summary>
public sealed record TxnOutcome(bool Succeeded, IReadOnlyList<string?>? Reads);
