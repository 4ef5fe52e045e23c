namespace Orleans.Raft;

/// <summary>What a <c>get</c> promises (etcd's <c>--consistency</c>).</summary>
[GenerateSerializer]
public enum ReadConsistency
{
    /// <summary>The value of the latest committed write at some moment during the call: never stale.</summary>
    Linearizable,

    /// <summary>
    /// Whatever the replica that serves it has applied: possibly stale, never a value that was not committed. Any
    /// replica may answer, with no round trip to the leader. Only when asked for.
    /// </summary>
    Serializable,
}
