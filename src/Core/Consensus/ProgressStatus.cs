namespace Orleans.Raft.Consensus;

/// <summary>An immutable copy of the leader's view of one follower.</summary>
public sealed record ProgressStatus
{
    public required ProgressState State { get; init; }
    public required long NextIndex { get; init; }
    public required long MatchIndex { get; init; }

    /// <summary>AppendEntries messages out and unacknowledged (in Replicate state).</summary>
    public required int Inflight { get; init; }

    /// <summary>The leader sends it nothing new until a reply or heartbeat.</summary>
    public required bool IsPaused { get; init; }

    /// <summary>Heard from since the last quorum check.</summary>
    public required bool RecentActive { get; init; }

    /// <summary>In Snapshot state: the index of the snapshot being sent, else 0.</summary>
    public required long PendingSnapshotIndex { get; init; }

    /// <summary>In Snapshot state: the bytes of the snapshot the follower has acknowledged.</summary>
    public required long SnapshotOffset { get; init; }
}
