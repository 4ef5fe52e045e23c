using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// Counts the gets the replicas of the given groups answered, by how each was served (the <c>raft.reads</c> counter's
/// <c>path</c>), from the silos in this process: a run shows that its gets took the read mode it configured.
/// </summary>
public sealed class ReadPaths : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _groups;

    public ReadPaths(IEnumerable<string> groups)
    {
        _groups = new HashSet<string>(groups, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "raft.reads") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnRead);
        _listener.Start();
    }

    /// <summary>Gets answered so far, by path (read_index, lease, log, serializable).</summary>
    public IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    private void OnRead(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? group = null, path = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "group") group = tag.Value as string;
            else if (tag.Key == "path") path = tag.Value as string;
        }
        // Other clusters in this process (tests run side by side) count their own groups.
        if (group is null || path is null || !_groups.Contains(group)) return;
        _counts.AddOrUpdate(path, value, (_, n) => n + value);
    }

    public void Dispose() => _listener.Dispose();
}
