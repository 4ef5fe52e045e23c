namespace Orleans.Raft.Consensus;

/// <summary>
/// The in-memory copy of a replica's log, indexed from 1. A snapshot (index <see cref="SnapshotIndex"/>, term
/// <see cref="SnapshotTerm"/>; both 0 without one) covers everything up to its index; the log may still hold a trailing
/// window of entries at or below it (from <see cref="FirstIndex"/>), kept so lagging followers can continue from the log.
/// </summary>
internal sealed class RaftLog : IRaftLogView
{
    private readonly List<LogEntry> _entries = [];

    // Invariant: _entries[i].Index == _offset + 1 + i (contiguous), and _offset <= SnapshotIndex <= LastIndex; the
    // entries at or below SnapshotIndex are the trailing window kept for lagging followers.
    private long _offset;

    /// <param name="entries">Contiguous entries; those at or below the snapshot are kept only when they reach it with its term.</param>
    public RaftLog(IEnumerable<LogEntry> entries, long snapshotIndex = 0, long snapshotTerm = 0)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        var list = entries.ToList();
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Index != list[i - 1].Index + 1) throw new RaftInvariantException($"log has a gap: expected index {list[i - 1].Index + 1}, got {list[i].Index}");
        }
        var reachesSnapshot = list.Count > 0 && list[0].Index <= snapshotIndex && list[^1].Index >= snapshotIndex
            && list[(int)(snapshotIndex - list[0].Index)].Term == snapshotTerm;
        if (snapshotIndex == 0 || !reachesSnapshot) list.RemoveAll(e => e.Index <= snapshotIndex);
        if (list.Count > 0 && list[0].Index > snapshotIndex + 1) throw new RaftInvariantException($"log has a gap: expected index {snapshotIndex + 1}, got {list[0].Index}");
        _offset = list.Count > 0 ? list[0].Index - 1 : snapshotIndex;
        _entries.AddRange(list);
    }

    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }

    /// <summary>The first entry held (SnapshotIndex + 1 when no trailing entries are kept).</summary>
    public long FirstIndex => _offset + 1;
    public long LastIndex => _offset + _entries.Count;
    public long LastTerm => TermAt(LastIndex) ?? 0;
    public int Count => _entries.Count;

    /// <summary>The term of the entry at index, or null when the log does not hold it.</summary>
    public long? TermAt(long index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        if (index == 0) return 0;
        if (index < FirstIndex || index > LastIndex) return null;
        return _entries[(int)(index - FirstIndex)].Term;
    }

    public bool MatchTerm(long index, long term) => TermAt(index) == term;

    public LogEntry At(long index)
    {
        if (index < FirstIndex || index > LastIndex) throw new ArgumentOutOfRangeException(nameof(index), $"{index} not in [{FirstIndex},{LastIndex}]");
        return _entries[(int)(index - FirstIndex)];
    }

    /// <summary>Entries [from, to] inclusive, cut at maxCount entries and maxBytes (always at least one entry).</summary>
    public List<LogEntry> Slice(long from, long to, int maxCount = int.MaxValue, long maxBytes = long.MaxValue)
    {
        var result = new List<LogEntry>();
        long bytes = 0;
        for (var i = Math.Max(from, FirstIndex); i <= Math.Min(to, LastIndex) && result.Count < maxCount; i++)
        {
            var e = At(i);
            bytes += e.Size;
            if (result.Count > 0 && bytes > maxBytes) break;
            result.Add(e);
        }
        return result;
    }

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1) throw new RaftInvariantException($"append at {entry.Index} but last index is {LastIndex}");
        _entries.Add(entry);
    }

    /// <summary>Deletes the entry at index and all that follow it.</summary>
    public void TruncateFrom(long index)
    {
        if (index <= SnapshotIndex) throw new RaftInvariantException($"cannot truncate at {index}: the snapshot covers up to {SnapshotIndex}");
        if (index > LastIndex) return;
        _entries.RemoveRange((int)(index - FirstIndex), (int)(LastIndex - index + 1));
    }

    /// <summary>A snapshot now covers everything up to index: drops the entries up to it but the last <paramref name="keep"/>.</summary>
    public void CompactTo(long index, int keep = 0)
    {
        if (index <= SnapshotIndex) return;
        var term = TermAt(index) ?? throw new RaftInvariantException($"cannot compact to {index}: past the last index {LastIndex}");
        var drop = (int)Math.Max(0, index - keep - _offset);
        _entries.RemoveRange(0, drop);
        _offset += drop;
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Replaces the whole log with a snapshot's position (a snapshot the log does not continue).</summary>
    public void ResetTo(long index, long term)
    {
        _entries.Clear();
        _offset = index;
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>The first index of the run of entries with the same term as the entry at index (for fast back-off).</summary>
    public long FirstIndexOfTermAt(long index)
    {
        var term = TermAt(index) ?? throw new ArgumentOutOfRangeException(nameof(index));
        var i = index;
        while (i - 1 >= FirstIndex && TermAt(i - 1) == term) i--;
        return i;
    }

    /// <summary>The last index at or below maxIndex whose entry has the given term, or 0 when none.</summary>
    public long LastIndexOfTerm(long term, long maxIndex)
    {
        for (var i = Math.Min(maxIndex, LastIndex); i >= FirstIndex; i--)
        {
            var t = TermAt(i)!.Value;
            if (t == term) return i;
            if (t < term) return 0; // terms only decrease going back
        }
        return 0;
    }

    /// <summary>The up-to-date check of Raft §5.4.1.</summary>
    public bool IsUpToDate(long lastLogIndex, long lastLogTerm) =>
        lastLogTerm > LastTerm || (lastLogTerm == LastTerm && lastLogIndex >= LastIndex);
}
