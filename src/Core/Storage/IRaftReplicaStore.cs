namespace Orleans.Raft.Storage;

/// <summary>One replica's stable storage, owned by one activation.</summary>
public interface IRaftReplicaStore
{
    /// <summary>The fencing epoch this handle writes under.</summary>
    long Epoch { get; }

    /// <summary>Throws <see cref="InvalidDataException"/> when the stored snapshot fails its checksum: it is never restored.</summary>
    Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default);

    Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default);

    /// <summary>
    /// Durably records hardState (when not null) and entries: any stored entry at or after entries[0].Index is dropped first.
    /// Throws <see cref="StaleEpochException"/> when a newer handle has opened the replica.
    /// </summary>
    Task SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Durably replaces the stored snapshot with a newer one. If the stored log continues it (holds its index with its
    /// term), entries after snapshot.Index - catchUpEntries are kept and the older ones deleted; otherwise (a snapshot
    /// from the leader past our log) all are deleted. An older snapshot is ignored.
    /// Throws <see cref="StaleEpochException"/> when a newer handle has opened the replica.
    /// </summary>
    Task SaveSnapshotAsync(RaftSnapshot snapshot, int catchUpEntries = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything stored for the replica (when it is retired).</summary>
    Task DeleteAsync(CancellationToken cancellationToken = default);
}
