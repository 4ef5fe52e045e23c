using System.Collections.Concurrent;

namespace Orleans.Raft.Storage;

/// <summary>
/// Stable storage in process memory, for tests and local development. It is process-wide, so a replica's state
/// survives the death of the silo that hosted it as long as the process lives (as in a TestCluster), the way a disk would.
/// </summary>
public sealed class InMemoryRaftStorage : IRaftStorage
{
    /// <summary>The process-wide instance every silo in the process shares.</summary>
    public static InMemoryRaftStorage Shared { get; } = new();

    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);

    public Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default)
    {
        var key = $"{group}/{replica}";
        var record = _records.GetOrAdd(key, _ => new Record());
        long epoch;
        lock (record) epoch = ++record.Epoch;
        return Task.FromResult<IRaftReplicaStore>(new Handle(key, record, epoch, this));
    }

    public Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<StoredReplica>();
        foreach (var (key, record) in _records)
        {
            string[] members;
            lock (record) members = record.Members;
            if (members.Length == 0) continue;
            var slash = key.LastIndexOf('/');
            found.Add(new StoredReplica(key[..slash], key[(slash + 1)..], members));
        }
        return Task.FromResult<IReadOnlyList<StoredReplica>>([.. found.OrderBy(r => r.Group, StringComparer.Ordinal).ThenBy(r => r.Replica, StringComparer.Ordinal)]);
    }

    /// <summary>Forgets every replica of a group (tests use it to start clean).</summary>
    public void DeleteGroup(string group)
    {
        foreach (var key in _records.Keys.Where(k => k.StartsWith(group + "/", StringComparison.Ordinal))) _records.TryRemove(key, out _);
    }

    private sealed class Record
    {
        public long Epoch;
        public string[] Members = [];
        public HardState HardState = HardState.Empty;
        public readonly List<LogEntry> Entries = [];
        public RaftSnapshot? Snapshot;
    }

    private sealed class Handle(string key, Record record, long epoch, InMemoryRaftStorage owner) : IRaftReplicaStore
    {
        public long Epoch => epoch;

        public Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default)
        {
            lock (record)
            {
                if (record.Snapshot is { IsIntact: false } bad)
                    throw new InvalidDataException($"{key}: the stored snapshot at index {bad.Index} fails its checksum; refusing to restore it.");
                return Task.FromResult(new PersistedReplicaState(record.Members, record.HardState, [.. record.Entries], record.Snapshot));
            }
        }

        public Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default)
        {
            lock (record)
            {
                CheckEpoch();
                record.Members = [.. members];
            }
            return Task.CompletedTask;
        }

        public Task SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
        {
            lock (record)
            {
                CheckEpoch();
                if (entries.Count > 0)
                {
                    var offset = record.Snapshot?.Index ?? 0;
                    var first = entries[0].Index;
                    if (first <= offset) throw new InvalidOperationException($"{key}: write at index {first} is inside the snapshot up to {offset}");
                    var stored = record.Entries.Count > 0 ? record.Entries[0].Index - 1 : offset; // the index before the first stored entry
                    var last = stored + record.Entries.Count;
                    if (first > last + 1) throw new InvalidOperationException($"{key}: write at index {first} leaves a gap after {last}");
                    var keep = (int)(first - 1 - stored);
                    record.Entries.RemoveRange(keep, record.Entries.Count - keep);
                    record.Entries.AddRange(entries);
                }
                if (hardState is { } hs) record.HardState = hs;
            }
            return Task.CompletedTask;
        }

        public Task SaveSnapshotAsync(RaftSnapshot snapshot, int catchUpEntries = 0, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(catchUpEntries);
            lock (record)
            {
                CheckEpoch();
                if (record.Snapshot is { } old && old.Index >= snapshot.Index) return Task.CompletedTask;
                ArgumentOutOfRangeException.ThrowIfNegative(snapshot.Index);
                var stored = record.Entries.Count > 0 ? record.Entries[0].Index - 1 : 0; // the index before the first stored entry
                var at = snapshot.Index - stored - 1;
                var follows = at >= 0 && at < record.Entries.Count && record.Entries[(int)at].Term == snapshot.Term;
                if (follows) record.Entries.RemoveRange(0, (int)Math.Max(0, snapshot.Index - catchUpEntries - stored));
                else record.Entries.Clear(); // the log does not continue this snapshot
                record.Snapshot = snapshot;
            }
            return Task.CompletedTask;
        }

        public Task DeleteAsync(CancellationToken cancellationToken = default)
        {
            lock (record)
            {
                CheckEpoch();
                owner._records.TryRemove(new KeyValuePair<string, Record>(key, record));
                record.Epoch = long.MaxValue; // fence this handle and any other
            }
            return Task.CompletedTask;
        }

        private void CheckEpoch()
        {
            if (record.Epoch != epoch) throw new StaleEpochException(key, epoch, record.Epoch);
        }
    }
}
