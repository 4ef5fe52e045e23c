using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage;

/// <summary>What a replica finds in stable storage when it starts.</summary>
public sealed record PersistedReplicaState(string[] Members, HardState HardState, IReadOnlyList<LogEntry> Entries)
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

    /// <summary>Deletes everything stored for the replica (when it is retired).</summary>
    Task DeleteAsync(CancellationToken cancellationToken = default);
}

/// <summary>A write from an activation that is no longer the replica's current one was refused.</summary>
public sealed class StaleEpochException(string replica, long epoch, long current)
    : Exception($"replica {replica}: write with epoch {epoch} refused; epoch {current} owns it now");
