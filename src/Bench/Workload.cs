namespace Orleans.Raft.Bench;

/// <summary>What the closed-loop clients of one cell do, each request after the previous one's answer.</summary>
internal enum Workload
{
    /// <summary>Set a 256-byte value on one of the pre-filled keys.</summary>
    Set,

    /// <summary>Get one of the pre-filled keys, linearizably (however the cluster serves that: ReadIndex, lease or log).</summary>
    GetLinearizable,

    /// <summary>Get one of the pre-filled keys, serializably (etcd's --consistency=s): possibly stale, any replica may answer.</summary>
    GetSerializable,

    /// <summary>Compare-and-set of the client's own key from the value it last wrote to a new one, so that it succeeds.</summary>
    CompareAndSet,
}
