namespace Orleans.Raft.Storage;

/// <summary>
/// Stable storage for Raft replicas: currentTerm, votedFor and the log must survive a crash for Raft to be safe.
/// </summary>
public interface IRaftStorage
{
    /// <summary>
    /// Opens a replica's storage and fences off every earlier opener: from now on only the returned handle can write.
    /// </summary>
    Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every replica this storage holds state for (created and not deleted), without opening any: a node starts them
    /// all at boot. Reading does not fence a running replica.
    /// </summary>
    Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default);
}
