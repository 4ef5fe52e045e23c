using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>
/// 'bench cluster': Orleans.Raft as separate silo processes, reached through their gateways by one Orleans client.
/// With --gateway, a cluster already running; else three nodes of its own (FailoverCluster: real redis-server, SQLite
/// with fsync, one group of three replicas), one cluster per read mode, disposed at the end.
/// </summary>
internal static class ClusterBenchmark
{
    public const string Store = "default";

    /// <summary>The read mode a running cluster is not asked about: it serves gets as it is configured to.</summary>
    public const string ConfiguredReadMode = "as configured";

    public static async Task<int> RunAsync(ClusterBenchSettings settings, ClientIO io, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        var loadAtStart = LoadAverage.Now();
        var cells = new List<ClusterCell>();
        SteadyLoadResult? steady = null;
        var failover = FailoverSummary.NotRun("the run ended before the trials");
        string target;
        int? failed;
        if (settings.Gateways is { } gateways)
        {
            target = $"the running cluster at {gateways}, store '{Store}'";
            failed = await ClusterRun.RunAsync(async () =>
            {
                if (!GatewayList.TryParse(gateways, out var list, out var bad)) throw new InvalidOperationException($"--gateway wants HOST:PORT, got '{bad}'");
                using var host = await ClusterConnection.ConnectAsync(list, settings.Verbose);
                try
                {
                    var orleans = new OrleansBenchTarget(host.Services.GetRequiredService<IClusterClient>(), Store);
                    var loop = new ClosedLoop(orleans);
                    await io.Error.WriteLineAsync($"connected to {gateways}; setting {BenchValues.Keys} keys...");
                    await loop.PrefillAsync(settings.Clients.Max(), cancellation);
                    await ClusterMatrix.WarmUpAsync(loop, settings, io.Error, cancellation);
                    await ClusterMatrix.RunCellsAsync(loop, ClusterMatrix.AllWorkloads, ConfiguredReadMode, settings, cells, io.Error, cancellation);
                    steady = await ClusterMatrix.RunSteadyAsync(orleans, loop, settings, io.Error, cancellation);
                    failover = FailoverSummary.NotRun("with --gateway the nodes are not this benchmark's: it has no safe way to kill -9 the leader's process and start it again from its own disk");
                }
                finally
                {
                    await host.StopAsync(CancellationToken.None);
                }
            }, io, cancellation);
        }
        else
        {
            target = $"three silo processes it started (redis-server clustering, SQLite with fsync, one group of 3 replicas), read modes {string.Join(", ", settings.ReadModes)}";
            failed = await ClusterRun.RunAsync(async () =>
            {
                for (var i = 0; i < settings.ReadModes.Length; i++)
                {
                    var mode = settings.ReadModes[i];
                    await io.Error.WriteLineAsync($"Raft:ReadMode {mode}: starting three nodes...");
                    await using var cluster = new FailoverCluster(["--Raft:ReadMode", mode]);
                    await cluster.StartAsync(io.Error, settings.Verbose, cancellation);
                    await FailoverBenchmark.WaitForSteadyGroupAsync(cluster, cancellation);
                    var orleans = new OrleansBenchTarget(cluster.Client, Store);
                    var loop = new ClosedLoop(orleans);
                    await loop.PrefillAsync(settings.Clients.Max(), cancellation);
                    await ClusterMatrix.WarmUpAsync(loop, settings, io.Error, cancellation);
                    // Writes do not depend on the read mode: measured once, on the first cluster, with the elections and the kills.
                    await ClusterMatrix.RunCellsAsync(loop, i == 0 ? ClusterMatrix.AllWorkloads : ClusterMatrix.Reads, mode, settings, cells, io.Error, cancellation);
                    if (i > 0) continue;
                    steady = await ClusterMatrix.RunSteadyAsync(orleans, loop, settings, io.Error, cancellation);
                    failover = await ClusterMatrix.RunFailoverAsync(settings.FailoverTrials,
                        trial => FailoverBenchmark.RunTrialAsync(cluster, trial, io.Error, cancellation), io.Error);
                    if (settings.FailoverTrials > 0) await FailoverBenchmark.WaitForSteadyGroupAsync(cluster, cancellation);
                }
            }, io, cancellation);
        }
        if (failed is { } code) return code;
        var report = new ClusterBenchReport("Orleans.Raft", target, started, Environment.ProcessorCount, loadAtStart, LoadAverage.Now(), settings, [.. cells], steady, failover);
        return await ClusterMatrix.ReportAsync(report, "cluster", io);
    }
}
