using System.Globalization;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>The part of 'bench cluster' and 'bench etcd' that is the same for both: the cells, the steady load, the trials, the report.</summary>
internal static class ClusterMatrix
{
    public static readonly Workload[] AllWorkloads = [Workload.Set, Workload.GetLinearizable, Workload.GetSerializable, Workload.CompareAndSet];

    public static readonly Workload[] Reads = [Workload.GetLinearizable, Workload.GetSerializable];

    /// <summary>How long each workload runs at up to 16 clients before its cells, unless there is no warm-up at all.</summary>
    private static readonly TimeSpan WorkloadWarmup = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Sets at 64 clients for the warm-up: a system that has just started answers its first writes many times slower
    /// than it does a minute later (JIT tiering, caches, connections), so the first cells would measure its start.
    /// </summary>
    public static async Task WarmUpAsync(ClosedLoop loop, ClusterBenchSettings settings, TextWriter progress, CancellationToken cancellation)
    {
        if (settings.WarmupSeconds <= 0) return;
        await progress.WriteLineAsync($"warming up: sets at 64 clients for {F(settings.WarmupSeconds, "0.#")} s");
        var cell = await loop.MeasureAsync(Workload.Set, "", 64, TimeSpan.FromSeconds(settings.WarmupSeconds), cancellation);
        await progress.WriteLineAsync($"  {Line(cell)}");
    }

    /// <summary>Each workload in turn: a short warm-up at up to 16 clients, then a cell per client count.</summary>
    public static async Task RunCellsAsync(ClosedLoop loop, IEnumerable<Workload> workloads, string readMode, ClusterBenchSettings settings, List<ClusterCell> cells,
        TextWriter progress, CancellationToken cancellation)
    {
        foreach (var workload in workloads)
        {
            if (settings.WarmupSeconds > 0)
                await loop.MeasureAsync(workload, readMode, Math.Min(16, settings.Clients.Max()), WorkloadWarmup, cancellation);
            foreach (var clients in settings.Clients)
            {
                var cell = await loop.MeasureAsync(workload, readMode, clients, TimeSpan.FromSeconds(settings.Seconds), cancellation);
                cells.Add(cell);
                await progress.WriteLineAsync(Line(cell));
            }
        }
    }

    public static async Task<SteadyLoadResult?> RunSteadyAsync(IBenchTarget target, ClosedLoop loop, ClusterBenchSettings settings, TextWriter progress, CancellationToken cancellation)
    {
        if (settings.SteadySeconds <= 0) return null;
        await progress.WriteLineAsync($"steady load: sets at {I(settings.SteadyClients)} clients for {F(settings.SteadySeconds, "0.#")} s, watching the terms and leaders...");
        var steady = await SteadyLoad.RunAsync(target, loop, settings.SteadyClients, TimeSpan.FromSeconds(settings.SteadySeconds), cancellation);
        await progress.WriteLineAsync($"  {Line(steady.Load)}; term {I(steady.FirstTerm)} -> {I(steady.LastTerm)}, {I(steady.TermChanges)} term changes, {I(steady.LeaderChanges)} leader changes");
        return steady;
    }

    /// <summary>Runs the trials one after another; each is printed as it ends.</summary>
    public static async Task<FailoverSummary> RunFailoverAsync(int trials, Func<int, Task<FailoverTrial>> trial, TextWriter progress)
    {
        var results = new List<FailoverTrial>();
        for (var i = 1; i <= trials; i++)
        {
            var r = await trial(i);
            results.Add(r);
            var failed = r.FailedWrites > 0 ? $" ({I(r.FailedWrites)} failed: {string.Join("; ", r.Errors)})" : "";
            await progress.WriteLineAsync(
                $"failover {I(i)}/{I(trials)}: killed {r.KilledNode} ({r.OldLeader} led term {I(r.OldTerm)}); {r.NewLeader} leads term {I(r.NewTerm)} after " +
                $"{F(r.KillToLeaderMs, "F0")} ms; a write after {F(r.KillToWriteMs, "F0")} ms, then at most {F(r.LongestStallAfterMs, "F0")} ms between writes{failed}");
        }
        return FailoverSummary.Of(results);
    }

    /// <summary>Prints the tables, saves the JSON, and says where.</summary>
    public static async Task<int> ReportAsync(ClusterBenchReport report, string kind, ClientIO io)
    {
        var path = Path.GetFullPath(report.Settings.JsonPath ?? ClusterBenchReport.DefaultFileName(kind, report.StartedUtc));
        await File.WriteAllTextAsync(path, report.ToJson());
        ClusterReportTables.Write(report, io.Out);
        await io.Error.WriteLineAsync($"saved {path}");
        return ExitCodes.Ok;
    }

    private static string Line(ClusterCell c)
    {
        var mode = c.ReadMode.Length > 0 ? $" ({c.ReadMode})" : "";
        var errors = c.Errors > 0 ? $", {I(c.Errors)} errors: {string.Join("; ", c.ErrorSamples.Select(e => $"{I(e.Count)}x {e.Error}"))}" : "";
        return $"  {c.Workload}{mode} x{I(c.Clients)}: {F(c.OpsPerSecond, "N0")} ops/s, p50 {F(c.P50Ms, "F2")} ms, p99 {F(c.P99Ms, "F2")} ms, " +
            $"p99.9 {F(c.P999Ms, "F2")} ms (load {c.Load}){errors}";
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
