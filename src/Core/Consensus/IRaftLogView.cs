namespace Orleans.Raft.Consensus;

/// <summary>A read-only view of a node's in-memory log: only the node changes it.</summary>
public interface IRaftLogView
{
    /// <summary>The index the latest snapshot covers up to (0 without one).</summary>
    long SnapshotIndex { get; }

    /// <summary>The term of the entry at <see cref="SnapshotIndex"/> (0 without a snapshot).</summary>
    long SnapshotTerm { get; }

    /// <summary>The first entry held (SnapshotIndex + 1 when no trailing entries are kept).</summary>
    long FirstIndex { get; }

    long LastIndex { get; }

    long LastTerm { get; }

    /// <summary>How many entries are held.</summary>
    int Count { get; }

    /// <summary>The term of the entry at index, or null when the log does not hold it.</summary>
    long? TermAt(long index);

    /// <summary>The entry at index, which must lie in [FirstIndex, LastIndex].</summary>
    LogEntry At(long index);

    /// <summary>Entries [from, to] inclusive, cut at maxCount entries and maxBytes (always at least one entry).</summary>
    List<LogEntry> Slice(long from, long to, int maxCount = int.MaxValue, long maxBytes = long.MaxValue);
}
