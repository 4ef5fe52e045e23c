namespace Orleans.Raft.Consensus;

/// <summary>The outcome of a proposal at this replica.</summary>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, string? LeaderHint)
{
    /// <summary>Refused because this leader's uncommitted backlog is at its bound: nothing was appended; retry later.</summary>
    public bool Overloaded => Refusal == ProposeRefusal.Overloaded;

    /// <summary>Why it was refused (<see cref="ProposeRefusal.None"/> when accepted).</summary>
    public ProposeRefusal Refusal { get; init; }

    /// <summary>A sentence saying why it was refused, for an operator.</summary>
    public string? Reason { get; init; }

    public static ProposeResult NotLeader(string? leaderHint) =>
        new(false, 0, 0, leaderHint) { Refusal = ProposeRefusal.NotLeader, Reason = "not the leader" };

    public static ProposeResult Refused(string leader) =>
        new(false, 0, 0, leader) { Refusal = ProposeRefusal.Overloaded, Reason = "the leader's uncommitted backlog is full" };

    public static ProposeResult Refused(string leader, ProposeRefusal refusal, string reason) =>
        new(false, 0, 0, leader) { Refusal = refusal, Reason = reason };
}
