namespace Orleans.Raft.Client;

/// <summary>A watch asked for history no longer kept: watch again from <see cref="ResumeFrom"/>, after reading the current state.</summary>
public sealed class RaftCompactedException(long compactRevision)
    : RaftKeyValueException(KvStatus.Compacted, $"the history up to revision {compactRevision} is compacted: watch from {compactRevision + 1} or later")
{
    /// <summary>The revision up to which the history is gone.</summary>
    public long CompactRevision { get; } = compactRevision;

    /// <summary>The oldest revision a watch may start from.</summary>
    public long ResumeFrom => CompactRevision + 1;
}
