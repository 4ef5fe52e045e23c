using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>
/// 'bench etcd': the same cells, steady load and kill -9 trials as 'bench cluster', against three etcd members it
/// starts (separate processes, fsync on, etcd's defaults), reached through their JSON gRPC gateways by the same
/// closed-loop client code. etcd serves a linearizable range with ReadIndex.
/// </summary>
internal static class EtcdBenchmark
{
    private const string ReadMode = "ReadIndex";

    public static async Task<int> RunAsync(ClusterBenchSettings settings, ClientIO io, CancellationToken cancellation)
    {
        if (EtcdCluster.Missing() is { } missing)
        {
            await io.Error.WriteLineAsync($"error: {missing}");
            return ExitCodes.RequestFailed;
        }
        var started = DateTime.UtcNow;
        var loadAtStart = LoadAverage.Now();
        var version = await EtcdCluster.VersionAsync();
        var cells = new List<ClusterCell>();
        SteadyLoadResult? steady = null;
        var failover = FailoverSummary.NotRun("the run ended before the trials");
        await using var cluster = new EtcdCluster();
        using var etcd = new EtcdBenchTarget(cluster.Endpoints);
        var failed = await ClusterRun.RunAsync(async () =>
        {
            await cluster.StartAsync(io.Error, cancellation);
            await EtcdFailover.WaitForSteadyAsync(cluster, etcd, cancellation);
            var loop = new ClosedLoop(etcd);
            await loop.PrefillAsync(settings.Clients.Max(), cancellation);
            await ClusterMatrix.WarmUpAsync(loop, settings, io.Error, cancellation);
            await ClusterMatrix.RunCellsAsync(loop, ClusterMatrix.AllWorkloads, ReadMode, settings, cells, io.Error, cancellation);
            steady = await ClusterMatrix.RunSteadyAsync(etcd, loop, settings, io.Error, cancellation);
            failover = await ClusterMatrix.RunFailoverAsync(settings.FailoverTrials,
                trial => EtcdFailover.RunTrialAsync(cluster, etcd, trial, io.Error, cancellation), io.Error);
        }, io, cancellation);
        if (failed is { } code) return code;
        var target = $"three members it started (separate processes, fsync on, default settings: heartbeat 100 ms, election 1000 ms), through the JSON gRPC gateway";
        var report = new ClusterBenchReport(version, target, started, Environment.ProcessorCount, loadAtStart, LoadAverage.Now(), settings with { ReadModes = [ReadMode] },
            [.. cells], steady, failover);
        return await ClusterMatrix.ReportAsync(report, "etcd", io);
    }
}
