using System.Diagnostics;
using System.Globalization;

namespace Orleans.Raft.ClientApp;

/// <summary>
/// Throughput and latency of the Raft group against an unreplicated single grain, both through the same client
/// path (an Orleans client talking to the silo's gateway). Reports numbers; asserts nothing.
/// </summary>
public static class Benchmark
{
    private const string Group = "bench";

    private sealed record Cell(string System, string Operation, int Clients, double OpsPerSecond, double P50Ms, double P99Ms, long Errors);

    public static async Task<int> RunAsync(CommandLine cmd)
    {
        var seconds = ParseDouble(cmd.Flags.GetValueOrDefault("seconds", "3"), "--seconds");
        var levels = cmd.Flags.GetValueOrDefault("clients", "1,16,64").Split(',').Select(s =>
            int.TryParse(s, out var n) && n is > 0 and <= 4096 ? n : throw new UsageException($"--clients wants numbers from 1 to 4096, got '{s}'")).ToArray();

        Console.Error.WriteLine($"starting an in-process cluster: one silo, group '{Group}' of 3 replicas (in-memory storage)...");
        await using var cluster = await InProcessCluster.StartAsync(o =>
        {
            o.Group = Group;
            o.Replicas = ["r1", "r2", "r3"];
        }, cmd.Verbose);
        await cluster.WaitForLeaderAsync(Group, TimeSpan.FromSeconds(30));

        var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>(Group);
        var baseline = cluster.Client.GetGrain<IUnreplicatedKeyValueGrain>("bench");
        var systems = new (string Name, Func<KvRequest, Task<KvResponse>> Call)[]
        {
            ("raft (3 replicas)", gateway.Execute),
            ("unreplicated grain", baseline.Execute),
        };

        var value = new string('v', 100);
        var cells = new List<Cell>();
        foreach (var (name, call) in systems)
        {
            // Warm up and fill the keys the gets read.
            for (var k = 0; k < 256; k++) await call(KvRequest.Set($"key-{k}", value));
            foreach (var op in new[] { "set", "get" })
            {
                foreach (var clients in levels)
                {
                    var cell = await MeasureAsync(name, op, clients, TimeSpan.FromSeconds(seconds), call, value);
                    cells.Add(cell);
                    Console.Error.WriteLine($"  {name,-20} {op} x{clients,-3}: {cell.OpsPerSecond,10:N0} ops/s");
                }
            }
        }

        Console.WriteLine($"| system | op | clients | ops/s | p50 ms | p99 ms | errors |");
        Console.WriteLine($"|---|---|---:|---:|---:|---:|---:|");
        foreach (var c in cells)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.System} | {c.Operation} | {c.Clients} | {c.OpsPerSecond:F0} | {c.P50Ms:F2} | {c.P99Ms:F2} | {c.Errors} |"));
        }
        Console.WriteLine();
        Console.WriteLine("| op | clients | raft / unreplicated throughput |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var c in cells.Where(c => c.System == systems[0].Name))
        {
            var b = cells.Single(x => x.System == systems[1].Name && x.Operation == c.Operation && x.Clients == c.Clients);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Operation} | {c.Clients} | {(b.OpsPerSecond > 0 ? c.OpsPerSecond / b.OpsPerSecond : 0):F2} |"));
        }
        return ExitCodes.Ok;
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
