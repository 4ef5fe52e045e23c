namespace Orleans.Raft.Bench;

/// <summary>
/// A replicated key-value store as the closed-loop clients see it, the same for Orleans.Raft and for etcd, so both are
/// measured by the same code. Client is the closed-loop client's number: a target may spread clients over endpoints.
/// Implementations turn failures into a failed <see cref="KvOutcome"/> rather than throw.
/// </summary>
internal interface IBenchTarget
{
    Task<KvOutcome> SetAsync(int client, string key, string value, CancellationToken cancellation);

    /// <summary>A key that does not exist is an answer too: Ok.</summary>
    Task<KvOutcome> GetAsync(int client, string key, bool serializable, CancellationToken cancellation);

    /// <summary>Sets the key to value only if it holds expected (null: only if it does not exist).</summary>
    Task<KvOutcome> CompareAndSetAsync(int client, string key, string? expected, string value, CancellationToken cancellation);

    /// <summary>Every group's term and leader now; throws when the replicas cannot be asked.</summary>
    Task<GroupLeader[]> LeadershipAsync(CancellationToken cancellation);
}
