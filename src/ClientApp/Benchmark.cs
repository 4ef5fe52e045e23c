using System.Diagnostics;
using System.Globalization;

namespace Orleans.Raft.ClientApp;

/// <summary>
/// Throughput and latency of a 3-replica Raft group, on in-memory and on durable SQLite storage, against an
/// unreplicated single grain, all through the same client path (an Orleans client talking to the silo's gateway).
/// Reports numbers; asserts nothing.
/// </summary>
public static class Benchmark
{
    private const string Group = "bench";
    private const string Baseline = "unreplicated grain";

    private sealed record Cell(string System, string Operation, int Clients, double OpsPerSecond, double P50Ms, double P99Ms, long Errors);

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        var seconds = ParseDouble(cmd.Flags.GetValueOrDefault("seconds", "3"), "--seconds");
        var levels = cmd.Flags.GetValueOrDefault("clients", "1,16,64").Split(',').Select(s =>
            int.TryParse(s, out var n) && n is > 0 and <= 4096 ? n : throw new UsageException($"--clients wants numbers from 1 to 4096, got '{s}'")).ToArray();

        var value = new string('v', 100);
        var cells = new List<Cell>();
        var systems = new List<string>();
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-bench-{Guid.NewGuid():N}");
        try
        {
            foreach (var storage in new[] { Hosting.RaftStorageKind.InMemory, Hosting.RaftStorageKind.Sqlite })
            {
                Console.Error.WriteLine($"starting an in-process cluster: one silo, group '{Group}' of 3 replicas, {storage} storage...");
                await using var cluster = await InProcessCluster.StartAsync(o =>
                {
                    o.Group = Group;
                    o.Replicas = ["r1", "r2", "r3"];
                    o.Storage = storage;
                    o.DataDirectory = data;
                }, cmd.Verbose);
                await cluster.WaitForLeaderAsync(Group, TimeSpan.FromSeconds(30));
                var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>(Group);
                var name = storage == Hosting.RaftStorageKind.Sqlite ? "raft, 3 replicas, SQLite (fsync)" : "raft, 3 replicas, in-memory";
                systems.Add(name);
                await MeasureSystemAsync(name, gateway.Execute, levels, seconds, value, cells);
                if (storage == Hosting.RaftStorageKind.InMemory)
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

        Console.WriteLine($"| system | op | clients | ops/s | p50 ms | p99 ms | errors |");
        Console.WriteLine($"|---|---|---:|---:|---:|---:|---:|");
        foreach (var c in cells)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.System} | {c.Operation} | {c.Clients} | {c.OpsPerSecond:F0} | {c.P50Ms:F2} | {c.P99Ms:F2} | {c.Errors} |"));
        }
        Console.WriteLine();
        Console.WriteLine("| system | op | clients | throughput / unreplicated |");
        Console.WriteLine("|---|---|---:|---:|");
        foreach (var c in cells.Where(c => c.System != Baseline))
        {
            var b = cells.Single(x => x.System == Baseline && x.Operation == c.Operation && x.Clients == c.Clients);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.System} | {c.Operation} | {c.Clients} | {(b.OpsPerSecond > 0 ? c.OpsPerSecond / b.OpsPerSecond : 0):F3} |"));
        }
        return ExitCodes.Ok;
    }

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

    private static double ParseDouble(string s, string option) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 3600
            ? v
            : throw new UsageException($"{option} wants a number of seconds from 0 to 3600, got '{s}'");
}
