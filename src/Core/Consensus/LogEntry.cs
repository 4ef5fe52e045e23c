namespace Orleans.Raft.Consensus;

/// <summary>One entry of the replicated log.</summary>
public sealed record LogEntry(long Index, long Term, LogEntryType Type, byte[] Data)
{
    public static LogEntry NoOp(long index, long term) => new(index, term, LogEntryType.NoOp, []);

    public int Size => Data.Length + 24;
}
