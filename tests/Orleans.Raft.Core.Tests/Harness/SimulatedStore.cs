using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>
/// Stable storage of one replica: survives crashes. Written exactly as the Ready contract says, so a restart sees
/// only what a real shell would have made durable. Snapshots follow InMemoryRaftStorage.SaveSnapshotAsync.
/// </summary>
public sealed class SimulatedStore(int catchUpEntries = 0)
{
    private readonly List<LogEntry> _entries = [];

    public HardState HardState { get; private set; } = HardState.Empty;

    /// <summary>The stored snapshot; the entries continue after it (and may start below it: the trailing window).</summary>
    public SnapshotData? Snapshot { get; private set; }

    public long SnapshotIndex => Snapshot?.Index ?? 0;

    /// <summary>The stored entries, from FirstIndex.</summary>
    public IReadOnlyList<LogEntry> Entries => _entries;

    /// <summary>The index of the first stored entry (SnapshotIndex + 1 when none is kept below the snapshot).</summary>
    public long FirstIndex => _entries.Count > 0 ? _entries[0].Index : SnapshotIndex + 1;

    public long LastIndex => FirstIndex - 1 + _entries.Count;

    /// <summary>The stored entry at index, or null when it is compacted or past the end.</summary>
    public LogEntry? EntryAt(long index) =>
        index >= FirstIndex && index <= LastIndex ? _entries[(int)(index - FirstIndex)] : null;

    /// <summary>The term at index, including the snapshot's own index; null when unknown.</summary>
    public long? TermAt(long index) => Snapshot is { } s && index == s.Index ? s.Term : EntryAt(index)?.Term;

    public void Persist(Ready rd)
    {
        // The snapshot first: it replaces the log that the entries continue. The core verifies it before any Ready carries it.
        if (rd.Snapshot is { IsIntact: false } bad) throw new InvalidOperationException($"a Ready carries a snapshot at {bad.Index} that fails its checksum");
        if (rd.Snapshot is { } snapshot) SaveSnapshot(snapshot);
        if (rd.HardState is { } hs) HardState = hs;
        if (rd.Entries.Count == 0) return;

        // The store drops any entry at or after the first new index, then appends.
        var first = rd.Entries[0].Index;
        if (first <= SnapshotIndex) throw new InvalidOperationException($"Ready entries start at {first}, inside the snapshot up to {SnapshotIndex}");
        if (first > LastIndex + 1)
            throw new InvalidOperationException($"Ready entries start at {first} but the store ends at {LastIndex}: a gap");
        var keep = (int)(first - FirstIndex);
        _entries.RemoveRange(keep, _entries.Count - keep);
        foreach (var e in rd.Entries)
        {
            if (e.Index != LastIndex + 1) throw new InvalidOperationException($"Ready entries are not contiguous at {e.Index}");
            _entries.Add(e);
        }
    }

    /// <summary>
    /// Keeps the entries after snapshot.Index - catchUpEntries only if the log holds the snapshot's entry with its term
    /// (else the log does not continue this snapshot and all of it goes). An older snapshot is ignored.
    /// </summary>
    public void SaveSnapshot(SnapshotData snapshot)
    {
        if (Snapshot is { } old && old.Index >= snapshot.Index) return;
        if (TermAt(snapshot.Index) == snapshot.Term && EntryAt(snapshot.Index) is not null)
        {
            _entries.RemoveRange(0, (int)Math.Clamp(snapshot.Index - catchUpEntries - FirstIndex + 1, 0, _entries.Count));
        }
        else
        {
            _entries.Clear();
        }
        Snapshot = snapshot;
    }

    /// <summary>The stored snapshot, refused (as the real stores refuse it) when it fails its checksum.</summary>
    public SnapshotData? LoadSnapshot() =>
        Snapshot is { IsIntact: false } bad ? throw new InvalidOperationException($"stored snapshot at {bad.Index} fails its checksum") : Snapshot;

    internal RaftLog LoadLog() => new(_entries, SnapshotIndex, Snapshot?.Term ?? 0);
}
