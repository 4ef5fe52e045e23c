namespace Orleans.Raft;

/// <summary>A leader's view of one peer's replication, from its progress tracker.</summary>
[GenerateSerializer, Immutable]
public sealed record PeerProgress
{
    [Id(0)] public required string Replica { get; init; }
    [Id(1)] public ReplicationState State { get; init; }

    /// <summary>The highest index known to match the leader's log.</summary>
    [Id(2)] public long MatchIndex { get; init; }

    /// <summary>The next index the leader will send.</summary>
    [Id(3)] public long NextIndex { get; init; }

    /// <summary>The leader's last log index minus <see cref="MatchIndex"/>: entries the peer still lacks.</summary>
    [Id(4)] public long Lag { get; init; }

    [Id(5)] public bool IsLearner { get; init; }

    /// <summary>Heard from since the leader's last quorum check.</summary>
    [Id(6)] public bool RecentActive { get; init; }
}
