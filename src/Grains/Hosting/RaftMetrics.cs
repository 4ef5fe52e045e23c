using System.Diagnostics.Metrics;

namespace Orleans.Raft.Hosting;

/// <summary>The "Orleans.Raft" meter; read it with dotnet-counters or any OpenTelemetry exporter.</summary>
public sealed class RaftMetrics : IDisposable
{
    public const string MeterName = "Orleans.Raft";

    private readonly Meter _meter;

    public RaftMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        ElectionsStarted = _meter.CreateCounter<long>("raft.elections.started", description: "Elections this silo's replicas started");
        ElectionsWon = _meter.CreateCounter<long>("raft.elections.won", description: "Elections this silo's replicas won");
        Proposals = _meter.CreateCounter<long>("raft.proposals", description: "Client commands proposed by leaders on this silo");
        Applied = _meter.CreateCounter<long>("raft.entries.applied", description: "Log entries applied to state machines");
        CommitLatency = _meter.CreateHistogram<double>("raft.commit.latency", unit: "ms", description: "Time from proposal to apply at the leader");
    }

    public Counter<long> ElectionsStarted { get; }
    public Counter<long> ElectionsWon { get; }
    public Counter<long> Proposals { get; }
    public Counter<long> Applied { get; }
    public Histogram<double> CommitLatency { get; }

    public void Dispose() => _meter.Dispose();
}
