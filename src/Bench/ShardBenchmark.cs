using System.Diagnostics;
using System.Globalization;
using Orleans.Raft.ClientApp;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// Aggregate set throughput of a store split over G groups: three node processes (Redis clustering, replication
/// factor 3, so each group has a replica on every node), in memory and on SQLite, reached through the store's gateway
/// from one Orleans client connected to all three nodes. Closed-loop clients set 256-byte values on keys spread over
/// the groups. Reports numbers; asserts nothing.
/// </summary>
internal static class ShardBenchmark
{
    private const int Keys = 4096;
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BalanceTimeout = TimeSpan.FromSeconds(45);

    /// <summary>One storage, group count and client count.</summary>
    private sealed record Cell(string Storage, int Groups, int Clients, double OpsPerSecond, Percentiles Latency, long Errors, string LeadersPerNode, string Load,
        Cost Cost);

    /// <summary>What the three nodes spent per set in a cell: CPU time, Raft messages, and the grain calls that carried them.</summary>
    private sealed record Cost(double CpuMs, double Messages, double Calls);

    public static async Task<int> RunAsync(int[] groupCounts, int[] clientCounts, string[] storages, TimeSpan duration, TimeSpan warmup, bool verbose, ClientIO io, CancellationToken cancellation)
    {
        var value = new string('v', 256);
        var cells = new List<Cell>();
        var failed = await ClusterRun.RunAsync(async () =>
        {
            foreach (var storage in storages)
            {
                foreach (var groups in groupCounts)
                {
                    await using var cluster = new FailoverCluster(["--Raft:Storage", storage], groups);
                    await cluster.StartAsync(io.Error, verbose, cancellation);
                    var leaders = await WaitForLeadersAsync(cluster, groups, io.Error, cancellation);
                    await io.Error.WriteLineAsync($"{storage}, {groups} group(s): leaders per node {leaders}; warming up for {warmup.TotalSeconds:0} s");
                    await MeasureAsync(cluster, clientCounts.Max(), warmup, value, cancellation);
                    foreach (var clients in clientCounts)
                    {
                        var load = LoadAverage.Now();
                        var before = await CountersAsync(cluster, cancellation);
                        var (rate, latency, errors) = await MeasureAsync(cluster, clients, duration, value, cancellation);
                        var after = await CountersAsync(cluster, cancellation);
                        var sets = Math.Max(1, latency.Count - errors);
                        var cost = new Cost((after.Cpu - before.Cpu).TotalMilliseconds / sets, (after.Messages - before.Messages) / (double)sets,
                            (after.Calls - before.Calls) / (double)sets);
                        var cell = new Cell(storage, groups, clients, rate, latency, errors, leaders, load, cost);
                        cells.Add(cell);
                        await io.Error.WriteLineAsync(
                            $"  {storage}, {groups,2} group(s), {clients,3} clients: {rate,8:N0} sets/s, p50 {latency.P50:F2} ms, p99 {latency.P99:F2} ms, {errors} errors, per set {cost.CpuMs:F2} CPU ms, {cost.Messages:F2} msgs, {cost.Calls:F2} calls (load {load})");
                    }
                }
            }
        }, io, cancellation);
        if (failed is { } code) return code;

        var table = new Table
        {
            Title = new TableTitle($"set throughput of a store of G groups (3 replicas each) on three node processes, {Environment.ProcessorCount} cores, 256-byte values, {Keys} keys, {duration.TotalSeconds:0} s a cell"),
            Caption = new TableTitle("errors: failed or timed-out requests; per set: the three nodes' CPU time, the Raft messages their replicas sent and the grain calls that carried them, over the cell, divided by the sets; load: 1-minute load average at the start of the cell"),
        };
        foreach (var column in new[] { "storage", "groups", "clients", "sets/s", "p50 ms", "p99 ms", "errors", "× 1 group", "CPU ms/set", "msgs/set", "calls/set", "leaders per node", "load" })
            table.AddColumn(new TableColumn(column) { Alignment = column is "storage" or "leaders per node" ? Justify.Left : Justify.Right });
        foreach (var c in cells)
        {
            var one = cells.FirstOrDefault(x => x.Storage == c.Storage && x.Groups == 1 && x.Clients == c.Clients);
            var ratio = one is { OpsPerSecond: > 0 } ? F(c.OpsPerSecond / one.OpsPerSecond, "F2") : "";
            table.AddRow(c.Storage, I(c.Groups), I(c.Clients), F(c.OpsPerSecond, "F0"), F(c.Latency.P50, "F2"), F(c.Latency.P99, "F2"), I(c.Errors), ratio, F(c.Cost.CpuMs, "F2"), F(c.Cost.Messages, "F2"), F(c.Cost.Calls, "F2"), c.LeadersPerNode, c.Load);
        }
        var console = Tables.Console(io.Out);
        console.Profile.Width = Math.Max(console.Profile.Width, 150);
        console.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Waits until every group has a leader, then, up to a bound, until the store's balancer has spread the leaders
    /// within one of each other over the nodes. Returns the leaders per node, as "n1 2, n2 1, n3 1".
    /// </summary>
    private static async Task<string> WaitForLeadersAsync(FailoverCluster cluster, int groups, TextWriter progress, CancellationToken cancellation)
    {
        var started = Stopwatch.StartNew();
        GroupSummary[] summaries = [];
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                summaries = await cluster.Gateway.GetGroups();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The nodes are still joining.
                summaries = [];
            }
            var led = summaries.Count(s => s.Leader is not null);
            if (summaries.Length == groups && led == groups)
            {
                var perNode = FailoverCluster.Nodes.Select(n => summaries.Count(s => s.LeaderNode == n)).ToArray();
                if (perNode.Max() - perNode.Min() <= 1 || started.Elapsed > LeaderTimeout + BalanceTimeout) return PerNode(summaries);
            }
            else if (started.Elapsed > LeaderTimeout)
            {
                throw new TimeoutException($"only {led} of {groups} groups have a leader after {LeaderTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
        }
    }

    /// <summary>The three nodes' CPU time and Raft message counters, summed.</summary>
    private static async Task<(TimeSpan Cpu, long Messages, long Calls)> CountersAsync(FailoverCluster cluster, CancellationToken cancellation)
    {
        var cpu = FailoverCluster.Nodes.Aggregate(TimeSpan.Zero, (sum, n) => sum + IdleBenchmark.CpuTime(cluster.Node(n).ProcessId));
        var metrics = await Task.WhenAll(FailoverCluster.Nodes.Select(n => IdleBenchmark.ReadMetricsAsync(cluster, n, cancellation)));
        long Sum(string counter) => metrics.Sum(m => m.Counters.GetValueOrDefault(counter));
        var messages = Sum("raft.messages.sent");
        return (cpu, messages, messages - Sum("raft.messages.coalesced") + Sum("raft.message.batches"));
    }

    private static string PerNode(GroupSummary[] summaries) =>
        string.Join(", ", FailoverCluster.Nodes.Select(n => $"{n} {summaries.Count(s => s.LeaderNode == n)}"));

    private static async Task<(double Rate, Percentiles Latency, long Errors)> MeasureAsync(FailoverCluster cluster, int clients, TimeSpan duration, string value, CancellationToken cancellation)
    {
        var gateway = cluster.Gateway;
        var latencies = new List<double>[clients];
        long errors = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(8192);
            var random = new Random(w);
            while (stopwatch.Elapsed < duration && !cancellation.IsCancellationRequested)
            {
                var key = $"key-{random.Next(Keys)}";
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var response = await gateway.Execute(KvRequest.Set(key, value));
                    if (!response.IsSuccess) Interlocked.Increment(ref errors);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        cancellation.ThrowIfCancellationRequested();
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var latency = Percentiles.Of(latencies.SelectMany(l => l));
        return ((latency.Count - errors) / elapsed, latency, errors);
    }


    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
