namespace Orleans.Raft.Silo;

/// <summary>
/// The console's event timeline, kept in this silo's memory so a reloaded page finds it again: a ring of the latest
/// <see cref="Capacity"/> events, each with an id one above the previous, so a page asks only for the ones after the
/// last it saw.
/// </summary>
public sealed class ConsoleTimeline
{
    public const int DefaultCapacity = 1000;

    /// <summary>The most events one page returns.</summary>
    public const int PageLimit = 500;

    private readonly object _lock = new();
    private readonly TimelineEvent[] _ring;
    private readonly TimeProvider _time;
    private long _last;

    public ConsoleTimeline(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _ring = new TimelineEvent[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Tells this silo's run apart from the next: ids restart from 1 with a new epoch.</summary>
    public string Epoch { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Records an event now and returns it; the oldest is dropped once the ring is full.</summary>
    public TimelineEvent Add(string kind, string? group, string text, bool failed = false)
    {
        lock (_lock)
        {
            var e = new TimelineEvent(++_last, _time.GetUtcNow(), kind, group, text, failed);
            _ring[(_last - 1) % _ring.Length] = e;
            return e;
        }
    }

    /// <summary>The events with an id above <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public TimelinePage After(long after, int limit = PageLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_lock)
        {
            var oldest = Math.Max(1, _last - _ring.Length + 1);
            var from = Math.Max(after + 1, oldest);
            var missed = Math.Max(0, Math.Min(oldest, _last + 1) - after - 1);
            var to = Math.Min(_last, from + limit - 1);
            var events = new List<TimelineEvent>((int)Math.Max(0, to - from + 1));
            for (var id = from; id <= to; id++) events.Add(_ring[(id - 1) % _ring.Length]);
            return new TimelinePage(Epoch, Math.Max(to, Math.Min(after, _last)), missed, to < _last, events);
        }
    }
}
