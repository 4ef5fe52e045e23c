namespace Orleans.Raft.Hosting;

/// <summary>How a replica served a get, as the <c>raft.reads</c> counter's <c>path</c> tag says.</summary>
public enum ReadPath
{
    /// <summary>Confirmed by a heartbeat round of the leader (at the leader, or a follower given the index).</summary>
    ReadIndex,

    /// <summary>Answered by a leader within its lease, with no round.</summary>
    Lease,

    /// <summary>Committed through the log like a write.</summary>
    Log,

    /// <summary>From the replica's own applied state, possibly stale.</summary>
    Serializable,
}
