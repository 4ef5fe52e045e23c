namespace Orleans.Raft.Consensus;

/// <summary>An immutable copy of the leader's view of one follower.</summary>
/// <param name="Inflight">AppendEntries messages out and unacknowledged (in Replicate state).</param>
/// <param name="IsPaused">The leader sends it nothing new until a reply or heartbeat.</param>
/// <param name="RecentActive">Heard from since the last quorum check.</param>
/// <param name="PendingSnapshotIndex">In Snapshot state: the index of the snapshot being sent, else 0.</param>
/// <param name="SnapshotOffset">In Snapshot state: the bytes of the snapshot the follower has acknowledged.</param>
public sealed record ProgressStatus(
    ProgressState State, long NextIndex, long MatchIndex,
    int Inflight, bool IsPaused, bool RecentActive,
    long PendingSnapshotIndex, long SnapshotOffset)
{
    /// <summary>A learner: receives the log but neither votes nor counts toward commit.</summary>
    public bool IsLearner { get; init; }
}
