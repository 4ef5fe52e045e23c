using System.Diagnostics;
using System.Globalization;

using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// Throughput and latency of a 3-replica Raft group, on in-memory and on durable SQLite storage, against an
/// unreplicated single grain, all through the same client path (an Orleans client talking to the silo's gateway).
/// Reports numbers; asserts nothing.
/// </summary>
internal static class Benchmark
{
    private const string Group = "bench";
    private const string Baseline = "unreplicated grain";

    private sealed record Cell(string System, string Operation, int Clients, double OpsPerSecond, double P50Ms, double P99Ms, long Errors);

    public static async Task<int> RunAsync(double seconds, int[] levels, bool verbose, TextWriter output)
    {
        var value = new string('v', 100);
        var cells = new List<Cell>();
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-bench-{Guid.NewGuid():N}");
        try
        {
            foreach (var sqlite in new[] { false, true })
            {
                Console.Error.WriteLine($"starting an in-process cluster: one silo, group '{Group}' of 3 replicas, {(sqlite ? "SQLite" : "in-memory")} storage...");
                await using var cluster = await InProcessCluster.StartAsync(o =>
                {
                    o.Group = Group;
                    o.Replicas = ["r1", "r2", "r3"];
                }, verbose, configureSilo: silo =>
                {
                    if (sqlite) silo.UseSqliteRaftStorage(o => o.DataDirectory = data);
                });
                await cluster.WaitForLeaderAsync(Group, TimeSpan.FromSeconds(30));
                var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>(Group);
                var name = sqlite ? "raft, 3 replicas, SQLite (fsync)" : "raft, 3 replicas, in-memory";
                await MeasureSystemAsync(name, gateway.Execute, levels, seconds, value, cells);
                if (!sqlite)
                {
                    var baseline = cluster.Client.GetGrain<IUnreplicatedKeyValueGrain>("bench");
                    await MeasureSystemAsync(Baseline, baseline.Execute, levels, seconds, value, cells);
                }
            }
        }
        finally
        {
            try
            {
                if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory.
            }
        }

        var table = new Table { Title = new TableTitle("throughput and latency") };
        foreach (var column in new[] { "system", "op", "clients", "ops/s", "p50 ms", "p99 ms", "errors" }) table.AddColumn(column);
        foreach (var c in cells) table.AddRow(c.System, c.Operation, I(c.Clients), F(c.OpsPerSecond, "F0"), F(c.P50Ms, "F2"), F(c.P99Ms, "F2"), I(c.Errors));
        var ratio = new Table { Title = new TableTitle("throughput / unreplicated") };
        foreach (var column in new[] { "system", "op", "clients", "ratio" }) ratio.AddColumn(column);
        foreach (var c in cells.Where(c => c.System != Baseline))
        {
            var b = cells.Single(x => x.System == Baseline && x.Operation == c.Operation && x.Clients == c.Clients);
            ratio.AddRow(c.System, c.Operation, I(c.Clients), F(b.OpsPerSecond > 0 ? c.OpsPerSecond / b.OpsPerSecond : 0, "F3"));
        }
        var console = Tables.Console(output);
        console.Write(table);
        console.Write(ratio);
        return ExitCodes.Ok;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static async Task MeasureSystemAsync(string name, Func<KvRequest, Task<KvResponse>> call, int[] levels, double seconds, string value, List<Cell> cells)
    {
        // Fill the keys the gets read, then warm up (JIT tiering, pools) so the first cell is not measured cold.
        for (var k = 0; k < 256; k++) await call(KvRequest.Set($"key-{k}", value));
        await MeasureAsync(name, "set", 16, TimeSpan.FromSeconds(2), call, value);
        await MeasureAsync(name, "get", 16, TimeSpan.FromSeconds(1), call, value);
        foreach (var op in new[] { "set", "get" })
        {
            foreach (var clients in levels)
            {
                var cell = await MeasureAsync(name, op, clients, TimeSpan.FromSeconds(seconds), call, value);
                cells.Add(cell);
                Console.Error.WriteLine($"  {name,-34} {op} x{clients,-3}: {cell.OpsPerSecond,10:N0} ops/s");
            }
        }
    }

    private static async Task<Cell> MeasureAsync(string system, string op, int clients, TimeSpan duration, Func<KvRequest, Task<KvResponse>> call, string value)
    {
        var latencies = new List<double>[clients];
        long errors = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(4096);
            var i = 0;
            while (stopwatch.Elapsed < duration)
            {
                var key = $"key-{(w * 31 + i++) % 256}";
                var request = op == "set" ? KvRequest.Set(key, value) : KvRequest.Get(key);
                var start = Stopwatch.GetTimestamp();
                var response = await call(request);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!response.IsSuccess) Interlocked.Increment(ref errors);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Cell(system, op, clients, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
