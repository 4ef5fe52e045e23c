namespace Orleans.Raft.Consensus;

/// <summary>The outcome of a proposal at this replica.</summary>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, string? LeaderHint)
{
    /// <summary>Refused because this leader's uncommitted backlog is at its bound: nothing was appended; retry later.</summary>
    public bool Overloaded { get; init; }

    public static ProposeResult NotLeader(string? leaderHint) => new(false, 0, 0, leaderHint);

    public static ProposeResult Refused(string leader) => new(false, 0, 0, leader) { Overloaded = true };
}
