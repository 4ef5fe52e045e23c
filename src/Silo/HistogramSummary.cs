using System.Diagnostics.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>Count, sum and max since the silo started; mean too; p50 and p99 over the latest 1024 samples.</summary>
public sealed record HistogramSummary(string? Unit, long Count, double Sum, double? Mean, double? Max, double? P50, double? P99);
