namespace Orleans.Raft.Consensus;

/// <summary>The state that must reach stable storage before a replica answers: currentTerm, votedFor, and commitIndex.</summary>
/// <remarks>commitIndex is not required for safety; keeping it lets a restarted replica re-apply without waiting for a leader.</remarks>
public readonly record struct HardState(long CurrentTerm, string? VotedFor, long CommitIndex)
{
    public static readonly HardState Empty = new(0, null, 0);
}
