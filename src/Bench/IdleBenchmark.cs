using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// The cost of idle groups: three node processes (Redis clustering and reminders, SQLite storage, every other setting
/// the silo's default), many groups of three replicas, one replica on each node, and nothing written. Each node's CPU
/// use is its process's CPU time over a window, as a share of one core; its Raft traffic is read from its
/// Orleans.Raft counters (GET /api/metrics) at both ends of the window. Reports numbers; asserts nothing.
/// </summary>
internal static class IdleBenchmark
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(10);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>One node over one window.</summary>
    private sealed record NodeRow(string Groups, string Quiescence, string Node, int Replicas, int Leaders, int Quiesced, double CpuPercent,
        double MessagesPerSecond, double CallsPerSecond, double TicksPerSecond, long Elections);

    internal sealed record Metrics(Dictionary<string, long> Counters, Dictionary<string, Gauge[]> Gauges);

    internal sealed record Gauge(string? Group, string? Replica, long Value);

    public static async Task<int> RunAsync(int groups, TimeSpan window, TimeSpan warmup, string quiesce, bool coalesce, bool verbose, ClientIO io, CancellationToken cancellation)
    {
        var rows = new List<NodeRow>();
        var loads = new List<string>();
        var settings = quiesce == "both" ? new[] { true, false } : [quiesce == "on"];
        var failed = await ClusterRun.RunAsync(async () =>
        {
            foreach (var on in settings)
            {
                await using var cluster = new FailoverCluster(["--Raft:Quiesce", on ? "true" : "false", "--Raft:CoalesceHeartbeats", coalesce ? "true" : "false"]);
                await cluster.StartAsync(io.Error, verbose, cancellation);
                var setting = (on ? "on" : "off") + (coalesce ? "" : ", direct");
                if (on == settings[0])
                {
                    // The cluster alone, with its default group: what the nodes cost without ours.
                    await SettleAsync(cluster, 1, on, warmup, io.Error, cancellation);
                    rows.AddRange(await MeasureAsync(cluster, "1", setting, window, 1, loads, io.Error, cancellation));
                }
                await CreateGroupsAsync(cluster, groups, io.Error, cancellation);
                await SettleAsync(cluster, groups + 1, on, warmup, io.Error, cancellation);
                rows.AddRange(await MeasureAsync(cluster, I(groups + 1), setting, window, groups + 1, loads, io.Error, cancellation));
            }
        }, io, cancellation);
        if (failed is { } code) return code;

        var table = new Table
        {
            Title = new TableTitle($"idle groups of 3 replicas on three nodes (the default group included), {Environment.ProcessorCount} cores, {window.TotalSeconds:0} s windows"),
            Caption = new TableTitle($"load average (1 min) at the start of each window: {string.Join(", ", loads)}; calls: grain calls carrying Raft messages (one per message sent directly, one per batch); elections: started in the window"),
        };
        foreach (var column in new[] { "groups", "quiesce", "node", "replicas", "leaders", "quiesced", "CPU % of a core", "Raft msgs/s", "Raft calls/s", "ticks/s", "elections" })
            table.AddColumn(new TableColumn(column) { Alignment = column is "quiesce" or "node" ? Justify.Left : Justify.Right });
        foreach (var r in rows)
        {
            table.AddRow(r.Groups, r.Quiescence, r.Node, I(r.Replicas), I(r.Leaders), I(r.Quiesced), F(r.CpuPercent, "F1"),
                F(r.MessagesPerSecond, "F0"), F(r.CallsPerSecond, "F0"), F(r.TicksPerSecond, "F0"), I(r.Elections));
        }
        var console = Tables.Console(io.Out);
        console.Profile.Width = Math.Max(console.Profile.Width, 140);
        console.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task CreateGroupsAsync(FailoverCluster cluster, int groups, TextWriter progress, CancellationToken cancellation)
    {
        await progress.WriteLineAsync($"creating {I(groups)} groups...");
        var started = Stopwatch.GetTimestamp();
        var members = FailoverCluster.Nodes.Select((n, i) => ReplicaKey.Member($"r{I(i + 1)}", n)).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(1, groups), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation },
            async (i, ct) => await RaftGroupBootstrapper.StartGroupAsync(cluster.Client, GroupName(i), members, ct));
        await progress.WriteLineAsync($"created {I(groups)} groups in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
    }

    private static string GroupName(int i) => $"idle-{i.ToString("D5", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// With quiescence on, until every replica on every node is quiesced; with it off, until every group has elected a
    /// leader (elections won across the nodes); then for the warm-up.
    /// </summary>
    private static async Task SettleAsync(FailoverCluster cluster, int groups, bool quiesce, TimeSpan warmup, TextWriter progress, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(SettleTimeout.TotalSeconds * Stopwatch.Frequency);
        var last = "";
        while (true)
        {
            var metrics = await Task.WhenAll(FailoverCluster.Nodes.Select(n => ReadMetricsAsync(cluster, n, cancellation)));
            var quiesced = metrics.Sum(m => m.Gauges.GetValueOrDefault("raft.quiesced")?.Length ?? 0);
            var running = metrics.Sum(m => m.Gauges.GetValueOrDefault("raft.term")?.Length ?? 0);
            var won = metrics.Sum(m => m.Counters.GetValueOrDefault("raft.elections.won"));
            var state = $"{I(running)} replicas running, {I(quiesced)} quiesced, {I(won)} elections won";
            if (state != last) await progress.WriteLineAsync(state);
            last = state;
            if (running >= 3 * groups && (quiesce ? quiesced >= 3 * groups : won >= groups)) break;
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"the groups did not settle within {SettleTimeout.TotalMinutes} min: {state}");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
        }
        // Then the nodes' own start-up work (tiered JIT compilation, caches) dies down.
        await progress.WriteLineAsync($"settled; waiting {warmup.TotalSeconds:0} s more");
        await Task.Delay(warmup, cancellation);
    }

    private static async Task<List<NodeRow>> MeasureAsync(FailoverCluster cluster, string groupCount, string setting, TimeSpan window, int groups, List<string> loads,
        TextWriter progress, CancellationToken cancellation)
    {
        await progress.WriteLineAsync($"measuring {groupCount} groups, quiescence {setting}, for {window.TotalSeconds:0} s...");
        loads.Add(LoadAverage.Now());
        var before = await Task.WhenAll(FailoverCluster.Nodes.Select(n => ReadMetricsAsync(cluster, n, cancellation)));
        var cpuBefore = FailoverCluster.Nodes.Select(n => CpuTime(cluster.Node(n).ProcessId)).ToArray();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, cancellation);
        var cpuAfter = FailoverCluster.Nodes.Select(n => CpuTime(cluster.Node(n).ProcessId)).ToArray();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = await Task.WhenAll(FailoverCluster.Nodes.Select(n => ReadMetricsAsync(cluster, n, cancellation)));
        var leaders = await LeadersPerNodeAsync(cluster, groups, cancellation);

        var rows = new List<NodeRow>();
        for (var i = 0; i < FailoverCluster.Nodes.Length; i++)
        {
            double Rate(string counter) => (after[i].Counters.GetValueOrDefault(counter) - before[i].Counters.GetValueOrDefault(counter)) / elapsed;
            var node = FailoverCluster.Nodes[i];
            rows.Add(new NodeRow(groupCount, setting, node, after[i].Gauges.GetValueOrDefault("raft.term")?.Length ?? 0, leaders.GetValueOrDefault(node),
                after[i].Gauges.GetValueOrDefault("raft.quiesced")?.Length ?? 0, 100 * (cpuAfter[i] - cpuBefore[i]).TotalSeconds / elapsed,
                Rate("raft.messages.sent"), Rate("raft.messages.sent") - Rate("raft.messages.coalesced") + Rate("raft.message.batches"), Rate("raft.ticks"),
                after[i].Counters.GetValueOrDefault("raft.elections.started") - before[i].Counters.GetValueOrDefault("raft.elections.started")));
        }
        return rows;
    }

    /// <summary>How many groups each node leads, from the replicas' status (which does not wake a quiesced replica).</summary>
    private static async Task<Dictionary<string, int>> LeadersPerNodeAsync(FailoverCluster cluster, int groups, CancellationToken cancellation)
    {
        var leaders = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = Enumerable.Range(1, groups - 1).Select(GroupName).Append(FailoverCluster.Group);
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation }, async (group, ct) =>
        {
            foreach (var (node, i) in FailoverCluster.Nodes.Select((n, i) => (n, i)))
            {
                var key = ReplicaKey.Format(group, ReplicaKey.Member($"r{I(i + 1)}", node));
                var status = await cluster.Client.GetGrain<IRaftReplicaGrain>(key).GetStatus().WaitAsync(TimeSpan.FromSeconds(10), ct);
                if (status.Role != ReplicaRole.Leader) continue;
                lock (leaders) leaders[node] = leaders.GetValueOrDefault(node) + 1;
                return;
            }
        });
        return leaders;
    }

    internal static async Task<Metrics> ReadMetricsAsync(FailoverCluster cluster, string node, CancellationToken cancellation) =>
        await Http.GetFromJsonAsync<Metrics>(new Uri(cluster.Node(node).WebAddress, "/api/metrics"), Json, cancellation)
            ?? throw new InvalidOperationException($"node {node} answered no metrics");

    /// <summary>A process's CPU time, user and system, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    internal static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }


    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
