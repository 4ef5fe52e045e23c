namespace Orleans.Raft.Consensus;

/// <summary>
/// The in-memory copy of a replica's log, indexed from 1. Everything below <see cref="FirstIndex"/> is covered by a
/// snapshot (index <see cref="SnapshotIndex"/>, term <see cref="SnapshotTerm"/>); with no snapshot both are 0.
/// </summary>
public sealed class RaftLog
{
    private readonly List<LogEntry> _entries = [];

    public RaftLog(IEnumerable<LogEntry> entries, long snapshotIndex = 0, long snapshotTerm = 0)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        foreach (var e in entries)
        {
            if (e.Index <= snapshotIndex) continue;
            if (e.Index != LastIndex + 1) throw new RaftInvariantException($"log has a gap: expected index {LastIndex + 1}, got {e.Index}");
            _entries.Add(e);
        }
    }

    public long SnapshotIndex { get; private set; }
    public long SnapshotTerm { get; private set; }
    public long FirstIndex => SnapshotIndex + 1;
    public long LastIndex => SnapshotIndex + _entries.Count;
    public long LastTerm => TermAt(LastIndex) ?? 0;
    public int Count => _entries.Count;

    /// <summary>The term of the entry at index, or null when the log does not hold it.</summary>
    public long? TermAt(long index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        if (index < SnapshotIndex || index > LastIndex) return null;
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
        if (index < FirstIndex) throw new RaftInvariantException($"cannot truncate at {index}: below first index {FirstIndex}");
        if (index > LastIndex) return;
        _entries.RemoveRange((int)(index - FirstIndex), (int)(LastIndex - index + 1));
    }

    /// <summary>Drops the entries up to and including index, which a snapshot now covers.</summary>
    public void CompactTo(long index)
    {
        if (index <= SnapshotIndex) return;
        var term = TermAt(index) ?? throw new RaftInvariantException($"cannot compact to {index}: past the last index {LastIndex}");
        _entries.RemoveRange(0, (int)(index - SnapshotIndex));
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Replaces the whole log with a snapshot's position (a snapshot the log does not continue).</summary>
    public void ResetTo(long index, long term)
    {
        _entries.Clear();
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
