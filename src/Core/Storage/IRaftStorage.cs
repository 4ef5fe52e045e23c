namespace Orleans.Raft.Storage;

/// <summary>
/// A state-machine snapshot: everything applied up to and including Index (of term Term), and the
/// <see cref="SnapshotChecksum"/> of Data, which a store verifies when it loads the snapshot.
/// </summary>
public sealed record RaftSnapshot(long Index, long Term, byte[] Data, long Checksum)
{
    /// <summary>A snapshot of freshly taken bytes: computes their checksum.</summary>
    public RaftSnapshot(long index, long term, byte[] data)
        : this(index, term, data, SnapshotChecksum.Compute(data))
    {
    }

    public bool IsIntact => SnapshotChecksum.Compute(Data) == Checksum;
}

/// <summary>
/// What a replica finds in stable storage when it starts: its members, HardState, latest snapshot (if any), and the
/// log entries in order, from at most Snapshot.Index + 1 (or from 1 with no snapshot): entries at or below the snapshot
/// are the trailing window kept for lagging followers.
/// </summary>
public sealed record PersistedReplicaState(string[] Members, HardState HardState, IReadOnlyList<LogEntry> Entries, RaftSnapshot? Snapshot = null)
{
    public static readonly PersistedReplicaState Empty = new([], HardState.Empty, []);

    public bool IsConfigured => Members.Length > 0;
}

/// <summary>
/// Stable storage for Raft replicas: currentTerm, votedFor and the log must survive a crash for Raft to be safe.
/// </summary>
public interface IRaftStorage
{
    /// <summary>
    /// Opens a replica's storage and fences off every earlier opener: from now on only the returned handle can write.
    /// </summary>
    Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default);
}

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

/// <summary>A write from an activation that is no longer the replica's current one was refused.</summary>
public sealed class StaleEpochException(string replica, long epoch, long current)
    : Exception($"replica {replica}: write with epoch {epoch} refused; epoch {current} owns it now");
