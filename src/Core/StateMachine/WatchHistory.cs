namespace Orleans.Raft.StateMachine;

/// <summary>
/// The latest changes a replica applied, for watchers to resume from: at most Capacity events, the oldest dropped
/// first. Not replicated and not in snapshots: after a restart or a snapshot it starts at the state's revision, and a
/// watcher that asks for an older revision is told the oldest one it can resume from.
/// </summary>
public sealed class WatchHistory(int capacity)
{
    private readonly Queue<ChangeEvent> _events = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Changes at revisions up to this one are gone; a watch may start at CompactRevision + 1 or later.</summary>
    public long CompactRevision { get; private set; }

    public int Count => _events.Count;

    internal void Add(ChangeEvent change)
    {
        _events.Enqueue(change);
        while (_events.Count > Capacity)
        {
            var dropped = _events.Dequeue();
            // Every event of a revision goes together: a watcher never sees half of a transaction.
            while (_events.Count > 0 && _events.Peek().Revision == dropped.Revision) _events.Dequeue();
            CompactRevision = dropped.Revision;
        }
    }

    /// <summary>Forgets everything: the state was replaced (a snapshot) at revision.</summary>
    internal void Reset(long revision)
    {
        _events.Clear();
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
