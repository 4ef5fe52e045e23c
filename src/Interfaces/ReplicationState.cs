namespace Orleans.Raft;

/// <summary>How a leader replicates to one peer (etcd's progress states).</summary>
public enum ReplicationState
{
    /// <summary>The leader does not yet know where the peer's log matches: one AppendEntries at a time.</summary>
    Probe,

    /// <summary>The peer's log matches: the leader streams entries to it.</summary>
    Replicate,

    /// <summary>The peer needs entries the leader compacted: the leader sends its snapshot.</summary>
    Snapshot,
}
