using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// The node deployment: a redis-server for the membership and N silo processes (n1..nN, SQLite on each node's own data
/// directory, fault injection on, the durable WAL length recorded for lost-fsync crashes), with a client connected to
/// every gateway. Groups are the store's own (default, or default-0.. with several), 3 replicas each on 3 nodes. Its
/// whole-silo faults strike any node, n1 included: kill -9 and a restart from its own disk, SIGSTOP and SIGCONT, and a
/// power cut that also loses what the node wrote but did not fsync (<see cref="PowerCut"/>). One at a time, so a
/// group of 3 loses at most one replica to them.
/// </summary>
public sealed class NodeClusterUnderTest : INemesisCluster
{
    private readonly RedisServer _redis;
    private readonly string _data;
    private readonly List<SiloProcess> _nodes;
    private readonly IHost _client;
    private readonly int _groups;
    private readonly NodeReadCounts _reads = new();

    private NodeClusterUnderTest(RedisServer redis, string data, List<SiloProcess> nodes, IHost client, int groups)
    {
        (_redis, _data, _nodes, _client, _groups) = (redis, data, nodes, client, groups);
    }

    public IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    public string Description => $"{_nodes.Count} silo processes ({string.Join(", ", _nodes.Select(n => $"{n.Name} pid {n.ProcessId}"))}), Redis membership on {_redis.ConnectionString}, data in {_data}";

    public string[] InitialMembers { get; } = ["r1", "r2", "r3"];

    // With 3 nodes, each holding a replica of every group, a replacement must remove first and add on the freed node:
    // the group then briefly has 2 voters, and a fault meanwhile costs availability only.
    public int MinMembers => _nodes.Count > 3 ? 3 : 2;

    public int MaxMembers => Math.Min(5, _nodes.Count);

    public bool ProcessFaultsOften => true;

    public ShardMap Shards(int groups) => new("default", groups);

    public static async Task<NodeClusterUnderTest> StartAsync(int nodes, int groups, RaftReadMode readMode, Action<string> log)
    {
        if (nodes < 3) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "a node cluster needs at least 3 nodes");
        var data = Directory.CreateTempSubdirectory("orleans-raft-nemesis-").FullName;
        var redis = await RedisServer.StartAsync();
        var names = Enumerable.Range(1, nodes).Select(i => $"n{i}").ToArray();
        var starts = names.Select(n => SiloProcess.StartAsync(n,
        [
            "--cluster", "Redis", "--cluster-connection", redis.ConnectionString,
            "--node", n, "--initial-nodes", string.Join(",", names), "--groups", $"{groups}", "--data", Path.Combine(data, n),
            "--Raft:EnableFaultInjection", "true",
            "--Raft:RecordDurableWalLengthForTests", "true",
            // As the TestCluster mode's silos (NemesisCluster).
            "--Raft:RequestTimeout", NemesisCluster.RequestTimeout.ToString("c", CultureInfo.InvariantCulture),
            "--Raft:ReadMode", readMode.ToString(),
            "--Raft:SnapshotEvery", "2000",
            "--Raft:LearnerCatchUpTimeout", "00:00:10",
            "--Raft:WatchHistoryEvents", $"{NemesisCluster.WatchHistoryEvents}",
        ])).ToArray();
        var started = new List<SiloProcess>();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var s in starts.Where(s => s.IsCompletedSuccessfully)) await s.Result.DisposeAsync();
            redis.Dispose();
            throw;
        }
        started.AddRange(starts.Select(s => s.Result));
        foreach (var node in started) log($"nemesis: node {node.Name} pid {node.ProcessId}, gateway {node.GatewayPort}, web {node.WebAddress}, log {node.LogPath}");
        var client = await ClusterConnection.ConnectAsync(new GatewayList([.. started.Select(n => new GatewayEndpoint("127.0.0.1", n.GatewayPort))]), verbose: false);
        return new NodeClusterUnderTest(redis, data, started, client, groups);
    }

    // The nodes create the store's groups themselves.
    public Task StartGroupsAsync(IReadOnlyList<string> groups) => Task.CompletedTask;

    public async Task CrashAsync(Random random, TimeSpan hold, Action<string> count, Action<string> log, CancellationToken stop)
    {
        var node = _nodes[random.Next(_nodes.Count)];
        var kind = random.Next(3);
        // A restart takes seconds of its own on top of the hold.
        switch (kind)
        {
            case 0:
                count("node kill -9");
                log($"nemesis: kill -9 {node.Name} (pid {node.ProcessId})");
                await _reads.BankAsync(node);
                node.Kill();
                await Delay(hold, stop);
                await node.RestartAsync();
                log($"nemesis: {node.Name} restarted from its disk (pid {node.ProcessId})");
                break;
            case 1:
                count("node pause");
                log($"nemesis: SIGSTOP {node.Name} (pid {node.ProcessId})");
                await node.PauseAsync();
                await Delay(hold, stop);
                await node.ResumeAsync();
                log($"nemesis: SIGCONT {node.Name}");
                break;
            default:
                count("node power cut");
                await _reads.BankAsync(node);
                node.Kill();
                var cut = PowerCut.Apply(Path.Combine(_data, node.Name), random);
                log($"nemesis: power cut of {node.Name}: kill -9, then {cut}");
                await Delay(hold, stop);
                await node.RestartAsync();
                log($"nemesis: {node.Name} restarted from what its disk kept (pid {node.ProcessId})");
                break;
        }
    }

    public async Task HealAsync(Action<string> log)
    {
        foreach (var node in _nodes)
        {
            if (node.HasExited)
            {
                await node.RestartAsync();
                log($"nemesis: {node.Name} restarted");
            }
        }
    }

    public async Task<(IReadOnlyDictionary<string, long> Counts, bool Partial)> ReadPathsAsync(IReadOnlyDictionary<string, long> inProcess)
    {
        var total = await _reads.TotalAsync(_nodes);
        return (total, _reads.Partial);
    }

    private static Task Delay(TimeSpan wait, CancellationToken stop) =>
        Task.Delay(wait, stop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.StopAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansException)
        {
            // The nodes go next anyway.
        }
        _client.Dispose();
        _reads.Dispose();
        foreach (var node in _nodes) await node.DisposeAsync();
        _redis.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }
    }
}
