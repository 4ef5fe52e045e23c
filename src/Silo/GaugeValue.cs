using System.Diagnostics.Metrics;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

public sealed record GaugeValue(string Instrument, string? Group, string? Replica, long Value);
