namespace Orleans.Raft.Consensus;

public enum ProgressState
{
    /// <summary>The leader does not know where the follower's log matches: one AppendEntries at a time.</summary>
    Probe,

    /// <summary>The follower's log matches up to matchIndex: the leader streams entries, up to a window of messages in flight.</summary>
    Replicate,

    /// <summary>The follower needs entries the leader has compacted: the leader sends its snapshot, a window of chunks at a time.</summary>
    Snapshot,
}
