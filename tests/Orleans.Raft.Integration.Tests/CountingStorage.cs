using Orleans.Raft.Consensus;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Counts the opens and full loads that replicas make of a store: each is a fencing write and a log reload.</summary>
internal sealed class CountingStorage(IRaftStorage inner) : IRaftStorage
{
    private long _opens;
    private long _loads;

    public long Opens => Interlocked.Read(ref _opens);

    public long Loads => Interlocked.Read(ref _loads);

    public async Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _opens);
        return new Store(this, await inner.OpenAsync(group, replica, cancellationToken));
    }

    public Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default) => inner.ListReplicasAsync(cancellationToken);

    private sealed class Store(CountingStorage owner, IRaftReplicaStore inner) : IRaftReplicaStore
    {
        public long Epoch => inner.Epoch;

        public Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._loads);
            return inner.LoadAsync(cancellationToken);
        }

        public Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default) => inner.SaveMembersAsync(members, cancellationToken);

        public Task SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default) =>
            inner.SaveAsync(hardState, entries, cancellationToken);

        public Task SaveSnapshotAsync(RaftSnapshot snapshot, int catchUpEntries = 0, CancellationToken cancellationToken = default) =>
            inner.SaveSnapshotAsync(snapshot, catchUpEntries, cancellationToken);

        public Task DeleteAsync(CancellationToken cancellationToken = default) => inner.DeleteAsync(cancellationToken);
    }
}
