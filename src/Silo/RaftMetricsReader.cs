using System.Diagnostics.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// Listens to this silo's "Orleans.Raft" instruments in process, so GET /api/metrics can report their current
/// values: counter totals and histogram summaries since the silo started, and the gauges as of now.
/// </summary>
public sealed class RaftMetricsReader : IDisposable
{
    private const int LatencySamples = 1024;

    private readonly object _lock = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HistogramState> _histograms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _units = new(StringComparer.Ordinal);
    private List<GaugeValue>? _gaugeSink;

    public RaftMetricsReader(RaftMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this silo's meter: tests run several silos, each with its own, in one process.
            if (!ReferenceEquals(instrument.Meter, metrics.Meter)) return;
            lock (_lock)
            {
                _units[instrument.Name] = instrument.Unit;
                if (instrument is Counter<long>) _counters.TryAdd(instrument.Name, 0);
                if (instrument is Histogram<double>) _histograms.TryAdd(instrument.Name, new HistogramState());
            }
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    public MetricsReport Read()
    {
        lock (_lock)
        {
            var gauges = new List<GaugeValue>();
            _gaugeSink = gauges;
            try
            {
                _listener.RecordObservableInstruments();
            }
            finally
            {
                _gaugeSink = null;
            }
            return new MetricsReport(
                RaftMetrics.MeterName,
                new Dictionary<string, long>(_counters),
                _histograms.ToDictionary(h => h.Key, h => h.Value.Summary(_units.GetValueOrDefault(h.Key))),
                gauges.GroupBy(g => g.Instrument).ToDictionary(g => g.Key, g => g.OrderBy(v => v.Replica, StringComparer.Ordinal).ToArray()));
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument is ObservableGauge<long>)
        {
            // Called from RecordObservableInstruments, under the lock taken by Read.
            string? group = null, replica = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "group") group = tag.Value as string;
                else if (tag.Key == "replica") replica = tag.Value as string;
            }
            _gaugeSink?.Add(new GaugeValue(instrument.Name, group, replica, value));
            return;
        }
        lock (_lock)
        {
            _counters[instrument.Name] = _counters.GetValueOrDefault(instrument.Name) + value;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        lock (_lock)
        {
            if (!_histograms.TryGetValue(instrument.Name, out var histogram)) _histograms[instrument.Name] = histogram = new HistogramState();
            histogram.Add(value);
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed class HistogramState
    {
        // The latest samples, for percentiles of recent behaviour; count, sum and max cover everything.
        private readonly double[] _recent = new double[LatencySamples];
        private long _count;
        private double _sum;
        private double _max;

        public void Add(double value)
        {
            _recent[_count % LatencySamples] = value;
            _count++;
            _sum += value;
            if (value > _max) _max = value;
        }

        public HistogramSummary Summary(string? unit)
        {
            var recent = _recent.Take((int)Math.Min(_count, LatencySamples)).Order().ToArray();
            double? Percentile(double p) => recent.Length == 0 ? null : recent[(int)Math.Min(recent.Length - 1, Math.Floor(p * recent.Length))];
            return new HistogramSummary(unit, _count, _sum, _count == 0 ? null : _sum / _count, _count == 0 ? null : _max, Percentile(0.5), Percentile(0.99));
        }
    }
}
