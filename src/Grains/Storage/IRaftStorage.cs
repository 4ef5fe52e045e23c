using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage;

/// <summary>A state-machine snapshot: everything applied up to and including Index (of term Term).</summary>
public sealed record RaftSnapshot(long Index, long Term, byte[] Data);

/// <summary>
/// What a replica finds in stable storage when it starts: its members, HardState, latest snapshot (if any), and the
/// log entries after the snapshot, in order from Snapshot.Index + 1 (or from 1 with no snapshot).
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

    Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default);

    Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default);

    /// <summary>
    /// Durably records hardState (when not null) and entries: any stored entry at or after entries[0].Index is dropped first.
    /// Throws <see cref="StaleEpochException"/> when a newer handle has opened the replica.
    /// </summary>
    Task SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Durably replaces the stored snapshot with a newer one and deletes the log entries it covers (index &lt;= snapshot.Index).
    /// Entries after it are kept if they follow it; otherwise (a snapshot from the leader past our log) all are deleted.
    /// Throws <see cref="StaleEpochException"/> when a newer handle has opened the replica.
    /// </summary>
    Task SaveSnapshotAsync(RaftSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything stored for the replica (when it is retired).</summary>
    Task DeleteAsync(CancellationToken cancellationToken = default);
}

/// <summary>A write from an activation that is no longer the replica's current one was refused.</summary>
public sealed class StaleEpochException(string replica, long epoch, long current)
    : Exception($"replica {replica}: write with epoch {epoch} refused; epoch {current} owns it now");
