namespace Orleans.Raft.StateMachine;

/// <summary>
/// The latest changes a replica applied, for watchers to resume from: at most Capacity events and about MaxBytes of
/// keys and values, the oldest revisions dropped first, whole (the latest is always kept). Not replicated and not in
/// snapshots: after a restart or a snapshot it starts at the state's revision, and a watcher that asks for an older
/// revision is told the oldest one it can resume from.
/// </summary>
public sealed class WatchHistory(int capacity, long maxBytes = long.MaxValue)
{
    // Per event beyond its strings: the records and the queue's slot, roughly.
    private const int EventOverheadBytes = 128;

    private readonly Queue<ChangeEvent> _events = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes));

    /// <summary>What the kept events hold, as counted against MaxBytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>Changes at revisions up to this one are gone; a watch may start at CompactRevision + 1 or later.</summary>
    public long CompactRevision { get; private set; }

    public int Count => _events.Count;

    internal void Add(ChangeEvent change)
    {
        _events.Enqueue(change);
        Bytes += SizeOf(change);
        while ((_events.Count > Capacity || Bytes > MaxBytes) && _events.Peek().Revision != change.Revision)
        {
            // Every event of a revision goes together: a watcher never sees half of a transaction.
            var revision = _events.Peek().Revision;
            while (_events.Count > 0 && _events.Peek().Revision == revision) Bytes -= SizeOf(_events.Dequeue());
            CompactRevision = revision;
        }
    }

    private static long SizeOf(ChangeEvent e) =>
        EventOverheadBytes + 2L * (e.Entry.Key.Length + (e.Entry.Value?.Length ?? 0) + (e.Previous?.Value?.Length ?? 0));

    /// <summary>Forgets everything: the state was replaced (a snapshot) at revision.</summary>
    internal void Reset(long revision)
    {
        _events.Clear();
        Bytes = 0;
        CompactRevision = revision;
    }

    /// <summary>The retained changes at fromRevision or later, in order; false when fromRevision is compacted.</summary>
    public bool TryRead(long fromRevision, out IReadOnlyList<ChangeEvent> changes)
    {
        if (fromRevision <= CompactRevision)
        {
            changes = [];
            return false;
        }
        changes = [.. _events.Where(e => e.Revision >= fromRevision)];
        return true;
    }
}
