using System.Diagnostics.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

public sealed record MetricsReport(
    string Meter,
    IReadOnlyDictionary<string, long> Counters,
    IReadOnlyDictionary<string, HistogramSummary> Histograms,
    IReadOnlyDictionary<string, GaugeValue[]> Gauges);
