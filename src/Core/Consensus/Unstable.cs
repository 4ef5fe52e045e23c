namespace Orleans.Raft.Consensus;

/// <summary>
/// What of a node's log and HardState is not yet known to be durable (after etcd-io/raft's log_unstable.go). The
/// entries themselves stay in the <see cref="RaftLog"/>; this tracks where the stable prefix ends and the one Ready the
/// shell may have in flight, during which the node keeps stepping messages that may replace entries being persisted.
/// </summary>
internal sealed class Unstable(long stableIndex, HardState stableHardState)
{
    // Invariant: log[1..StableIndex] is in stable storage exactly as the log holds it, and StableIndex <= log.LastIndex.
    // A truncation at or below it lowers it at once; a Ready's entries raise it only on Advance.
    public long StableIndex { get; private set; } = stableIndex;

    // Invariant: the HardState last handed out in a Ready and advanced (or the one the node started from).
    public HardState StableHardState { get; private set; } = stableHardState;

    // Invariant: true between GetReady and Advance; at most one Ready is in flight.
    public bool ReadyInFlight { get; private set; }

    // Invariant: long.MaxValue, or the lowest index truncated since the Ready in flight was taken. Entries of that Ready
    // at or past it were replaced in memory, so what reached storage there is not what the log holds.
    private long _lowestTruncationSinceReady = long.MaxValue;

    /// <summary>True when the HardState or entries past <see cref="StableIndex"/> still need persisting.</summary>
    public bool HasUnstable(HardState hardState, long lastIndex) => hardState != StableHardState || lastIndex > StableIndex;

    /// <summary>The entries the next Ready must persist.</summary>
    public List<LogEntry> Entries(RaftLog log) => log.Slice(StableIndex + 1, log.LastIndex);

    /// <summary>A Ready was handed out: until it is advanced, truncations are remembered against it.</summary>
    public void ReadyTaken()
    {
        ReadyInFlight = true;
        _lowestTruncationSinceReady = long.MaxValue;
    }

    /// <summary>The shell persisted the Ready: its HardState and the entries it held that are still in the log are stable.</summary>
    public void Advanced(Ready rd, long lastIndex)
    {
        ReadyInFlight = false;
        if (rd.HardState is { } hs) StableHardState = hs;
        StableIndex = Math.Min(rd.LastEntryIndex, _lowestTruncationSinceReady - 1);
        if (rd.Snapshot is { } snapshot) StableIndex = Math.Max(StableIndex, Math.Min(snapshot.Index, lastIndex));
    }

    /// <summary>The log dropped the entry at index and all after it.</summary>
    public void Truncated(long index)
    {
        if (index <= StableIndex) StableIndex = index - 1;
        _lowestTruncationSinceReady = Math.Min(_lowestTruncationSinceReady, index);
    }

    /// <summary>
    /// The log was replaced by a snapshot at index: the snapshot, persisted first in the next Ready, covers everything
    /// up to it.
    /// </summary>
    public void SnapshotInstalled(long index)
    {
        Truncated(index + 1);
        StableIndex = index;
    }
}
