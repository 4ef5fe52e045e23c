using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>
/// Stable storage of one replica: survives crashes. Written exactly as the Ready contract says, so a restart sees
/// only what a real shell would have made durable. Snapshots follow InMemoryRaftStorage.SaveSnapshotAsync.
/// </summary>
public sealed class SimulatedStore
{
    private readonly List<LogEntry> _entries = [];

    public HardState HardState { get; private set; } = HardState.Empty;

    /// <summary>The stored snapshot; the entries continue after it.</summary>
    public SnapshotData? Snapshot { get; private set; }

    public long SnapshotIndex => Snapshot?.Index ?? 0;

    /// <summary>The stored entries after the snapshot.</summary>
    public IReadOnlyList<LogEntry> Entries => _entries;

    public long LastIndex => SnapshotIndex + _entries.Count;

    /// <summary>The stored entry at index, or null when it is compacted or past the end.</summary>
    public LogEntry? EntryAt(long index) =>
        index > SnapshotIndex && index <= LastIndex ? _entries[(int)(index - SnapshotIndex - 1)] : null;

    /// <summary>The term at index, including the snapshot's own index; null when unknown.</summary>
    public long? TermAt(long index) => Snapshot is { } s && index == s.Index ? s.Term : EntryAt(index)?.Term;

    public void Persist(Ready rd)
    {
        // The snapshot first: it replaces the log that the entries continue.
        if (rd.Snapshot is { } snapshot) SaveSnapshot(snapshot);
        if (rd.HardState is { } hs) HardState = hs;
        if (rd.Entries.Count == 0) return;

        // The store drops any entry at or after the first new index, then appends.
        var first = rd.Entries[0].Index;
        if (first <= SnapshotIndex) throw new InvalidOperationException($"Ready entries start at {first}, inside the snapshot up to {SnapshotIndex}");
        if (first > LastIndex + 1)
            throw new InvalidOperationException($"Ready entries start at {first} but the store ends at {LastIndex}: a gap");
        var keep = (int)(first - 1 - SnapshotIndex);
        _entries.RemoveRange(keep, _entries.Count - keep);
        foreach (var e in rd.Entries)
        {
            if (e.Index != LastIndex + 1) throw new InvalidOperationException($"Ready entries are not contiguous at {e.Index}");
            _entries.Add(e);
        }
    }

    /// <summary>
    /// Drops entries up to the snapshot; keeps the rest only if the log holds the snapshot's entry with its term
    /// (else the log does not continue this snapshot and all of it goes). An older snapshot is ignored.
    /// </summary>
    public void SaveSnapshot(SnapshotData snapshot)
    {
        if (Snapshot is { } old && old.Index >= snapshot.Index) return;
        var covered = (int)Math.Min(_entries.Count, snapshot.Index - SnapshotIndex);
        var follows = covered > 0 && covered == snapshot.Index - SnapshotIndex && _entries[covered - 1].Term == snapshot.Term;
        _entries.RemoveRange(0, covered);
        if (!follows) _entries.Clear();
        Snapshot = snapshot;
    }

    public RaftLog LoadLog() => new(_entries, SnapshotIndex, Snapshot?.Term ?? 0);
}
