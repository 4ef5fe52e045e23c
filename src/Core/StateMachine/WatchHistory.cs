namespace Orleans.Raft.StateMachine;

/// <summary>
/// The latest changes a replica applied, for watchers to resume from: at most Capacity events and about MaxBytes of
/// keys and values, the oldest revisions dropped first, whole (the latest is always kept). Not replicated: a snapshot
/// carries it (whole unless its owner bounds it less), so a replica that restarts or joins from a snapshot keeps what
/// its peers keep, and a watcher that asks for an older revision is told the oldest one it can resume from.
/// </summary>
public sealed class WatchHistory(int capacity, long maxBytes = long.MaxValue)
{
    // Per event beyond its strings: the records and the buffer's slot, roughly.
    private const int EventOverheadBytes = 128;

    /// <summary>The most events one read returns (more when a revision holds more): a watcher far behind reads in steps.</summary>
    public const int MaxReadEvents = 1024;

    // A ring of events in revision order, grown as needed: found by binary search, so a watcher's read costs what it
    // returns, not the history's length.
    private ChangeEvent[] _ring = new ChangeEvent[16];
    private int _head;
    private int _count;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes));

    /// <summary>What the kept events hold, as counted against MaxBytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>Changes at revisions up to this one are gone; a watch may start at CompactRevision + 1 or later.</summary>
    public long CompactRevision { get; private set; }

    public int Count => _count;

    private ChangeEvent At(int i) => _ring[(_head + i) % _ring.Length];

    internal void Add(ChangeEvent change)
    {
        if (_count == _ring.Length) Grow();
        _ring[(_head + _count) % _ring.Length] = change;
        _count++;
        Bytes += SizeOf(change);
        while ((_count > Capacity || Bytes > MaxBytes) && At(0).Revision != change.Revision)
        {
            // Every event of a revision goes together: a watcher never sees half of a transaction.
            var revision = At(0).Revision;
            while (_count > 0 && At(0).Revision == revision) Bytes -= SizeOf(Dequeue());
            CompactRevision = revision;
        }
    }

    private ChangeEvent Dequeue()
    {
        var e = _ring[_head];
        _ring[_head] = null!;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return e;
    }

    private void Grow()
    {
        var bigger = new ChangeEvent[_ring.Length * 2];
        for (var i = 0; i < _count; i++) bigger[i] = At(i);
        _ring = bigger;
        _head = 0;
    }

    private static long SizeOf(ChangeEvent e) =>
        EventOverheadBytes + 2L * (e.Entry.Key.Length + (e.Entry.Value?.Length ?? 0) + (e.Previous?.Value?.Length ?? 0));

    /// <summary>
    /// The newest whole revisions within maxEvents and maxBytes, oldest first, for a snapshot, and the revision below
    /// them: the same events give the same tail, so replicas' snapshots at one index stay byte-identical.
    /// </summary>
    internal (long CompactRevision, IReadOnlyList<ChangeEvent> Events) Tail(int maxEvents, long maxBytes)
    {
        var first = _count;
        long bytes = 0;
        while (first > 0)
        {
            // The events of the revision just before `first`, taken whole or not at all.
            var start = first - 1;
            var revision = At(start).Revision;
            while (start > 0 && At(start - 1).Revision == revision) start--;
            var revisionBytes = 0L;
            for (var i = start; i < first; i++) revisionBytes += SizeOf(At(i));
            if (_count - start > maxEvents || bytes + revisionBytes > maxBytes) break;
            bytes += revisionBytes;
            first = start;
        }
        var events = new ChangeEvent[_count - first];
        for (var i = first; i < _count; i++) events[i - first] = At(i);
        if (first == 0) return (CompactRevision, events);
        // Nothing fits (the newest revision alone is too big): every revision up to the newest is gone.
        return (first == _count ? At(_count - 1).Revision : At(first).Revision - 1, events);
    }

    /// <summary>Takes a snapshot's history: the changes after compactRevision, oldest first, within this history's bounds.</summary>
    internal void Load(long compactRevision, IEnumerable<ChangeEvent> events)
    {
        Reset(compactRevision);
        foreach (var e in events) Add(e);
    }

    /// <summary>Forgets everything: the state was replaced (a snapshot) at revision.</summary>
    internal void Reset(long revision)
    {
        Array.Clear(_ring);
        _head = 0;
        _count = 0;
        Bytes = 0;
        CompactRevision = revision;
    }

    /// <summary>
    /// The retained changes at fromRevision or later, in order, at most <see cref="MaxReadEvents"/> of them but never
    /// part of a revision; false when fromRevision is compacted. Fewer than all: read again from the revision after the last.
    /// </summary>
    public bool TryRead(long fromRevision, out IReadOnlyList<ChangeEvent> changes)
    {
        if (fromRevision <= CompactRevision)
        {
            changes = [];
            return false;
        }
        var first = FirstAtOrAfter(fromRevision);
        var end = Math.Min(_count, first + MaxReadEvents);
        while (end < _count && At(end).Revision == At(end - 1).Revision) end++;
        var read = new ChangeEvent[end - first];
        for (var i = first; i < end; i++) read[i - first] = At(i);
        changes = read;
        return true;
    }

    /// <summary>Whether a change after revision is retained: a read from revision + 1 would return something.</summary>
    public bool HasAfter(long revision) => _count > 0 && At(_count - 1).Revision > revision;

    private int FirstAtOrAfter(long revision)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (At(mid).Revision < revision) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
