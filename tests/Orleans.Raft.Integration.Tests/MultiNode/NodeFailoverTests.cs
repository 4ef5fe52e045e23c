using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Integration.Tests.MultiNode;

/// <summary>
/// Three nodes (silo processes with their own data directories) clustered through a real redis-server, created with
/// --initial-nodes and one group (--groups 1): each node holds one replica of the default group and loses only that one when it dies.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class NodeFailoverTests : IAsyncLifetime
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-failover-").FullName;
    private readonly Dictionary<string, SiloProcess> _nodes = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var starts = Nodes.Select(n => SiloProcess.StartAsync(n,
        [
            "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
            "--node", n, "--initial-nodes", string.Join(",", Nodes), "--groups", "1", "--data", Path.Combine(_data, n),
        ])).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var s in starts.Where(s => s.IsCompletedSuccessfully)) _nodes[s.Result.Name] = s.Result;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        _redis?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<IHost> ConnectAsync() =>
        await ClusterConnection.ConnectAsync(new GatewayList([.. _nodes.Values.Select(n => new GatewayEndpoint("127.0.0.1", n.GatewayPort))]), verbose: false);

    private static IKeyValueGatewayGrain Gateway(IHost client) =>
        client.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>("default");

    /// <summary>Tries until it works: calls through a gateway that just died fail until the client moves on.</summary>
    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class =>
        RaftGroup.WaitForAsync(async () =>
        {
            try
            {
                return await probe();
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException)
            {
                return null;
            }
        }, what);

    private static Task<ReplicaStatus[]> StatusAsync(IHost client) => EventuallyAsync<ReplicaStatus[]>(() => Gateway(client).GetStatus()!, "the status");

    /// <summary>The silo ports a replica was ever started on, from every node's log ("default/r1: started on S127.0.0.1:PORT:GEN").</summary>
    private Dictionary<string, HashSet<int>> StartedOn()
    {
        var found = new Dictionary<string, HashSet<int>>();
        foreach (var node in _nodes.Values)
        {
            foreach (Match m in StartedLine().Matches(File.ReadAllText(node.LogPath)))
            {
                if (!found.TryGetValue(m.Groups[1].Value, out var ports)) found[m.Groups[1].Value] = ports = [];
                ports.Add(int.Parse(m.Groups[2].Value));
            }
        }
        return found;
    }

    [GeneratedRegex(@"default/(r\d+): started on S[\d.]+:(\d+):")]
    private static partial Regex StartedLine();

    [Fact]
    public async Task Kill_9_of_each_node_in_turn_loses_no_acknowledged_write_and_its_replica_returns_only_from_its_own_disk()
    {
        using var client = await ConnectAsync();
        var statuses = await EventuallyAsync(async () =>
        {
            var s = await Gateway(client).GetStatus();
            return s.Any(r => r.Role == ReplicaRole.Leader) ? s : null;
        }, "a leader");
        // One replica per node, named in the order of --initial-nodes.
        var home = statuses.ToDictionary(s => s.Replica, s => s.Node!);
        Assert.Equal(new Dictionary<string, string> { ["r1"] = "n1", ["r2"] = "n2", ["r3"] = "n3" }, home);

        var acknowledged = new Dictionary<string, string>();
        var next = 0;
        async Task WriteAsync(int count)
        {
            for (var i = 0; i < count; i++, next++)
            {
                var key = $"k{next}";
                var response = await EventuallyAsync(async () =>
                {
                    var r = await Gateway(client).Set(key, $"v{next}");
                    return r.Status == KvStatus.Ok ? r : null;
                }, $"write {key} to be acknowledged");
                acknowledged[key] = $"v{next}";
            }
        }

        await WriteAsync(20);
        foreach (var victim in Nodes)
        {
            var replica = home.Single(h => h.Value == victim).Key;
            _nodes[victim].Kill();

            // The group serves again without it, and its replica runs nowhere else meanwhile.
            await WriteAsync(20);
            var down = (await StatusAsync(client)).Single(s => s.Replica == replica);
            Assert.False(down.IsLive, $"{replica} answered while its node {victim} was down");
            Assert.Equal(victim, down.Node);

            // Back from its own disk, it catches up with what was written while it was down.
            await _nodes[victim].RestartAsync();
            await EventuallyAsync(async () =>
            {
                var all = await Gateway(client).GetStatus();
                var leader = all.Where(s => s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm);
                var back = all.Single(s => s.Replica == replica);
                return leader is not null && back.IsLive && back.LastApplied >= leader.CommitIndex && back.LastApplied > 0 ? back : null;
            }, $"{replica} to run again on {victim} and catch up");
            await WriteAsync(5);
        }

        var lost = new List<string>();
        foreach (var (key, value) in acknowledged)
        {
            var got = await EventuallyAsync(async () =>
            {
                var r = await Gateway(client).Get(key);
                return r.Status is KvStatus.Ok or KvStatus.NotFound ? r : null;
            }, $"a read of {key}");
            if (got.Value != value) lost.Add($"{key}: expected {value}, got {got.Status} {got.Value}");
        }
        Assert.Empty(lost);

        // Each replica was only ever started on its own node's silo port.
        var ports = _nodes.ToDictionary(n => n.Key, n => n.Value.SiloPort);
        foreach (var (replica, started) in StartedOn())
            Assert.Equal([ports[home[replica]]], started);
    }

    [Fact]
    public async Task A_node_started_on_an_empty_directory_in_a_cluster_that_exists_refuses_to_start_its_replica()
    {
        using var client = await ConnectAsync();
        await EventuallyAsync(async () =>
        {
            var r = await Gateway(client).Set("before", "wipe");
            return r.Status == KvStatus.Ok ? r : null;
        }, "a first write");

        var victim = _nodes["n3"];
        victim.Kill();
        Directory.Delete(Path.Combine(_data, "n3"), recursive: true);
        await victim.RestartAsync();

        await RaftGroup.WaitForAsync(() => Task.FromResult(File.ReadAllText(victim.LogPath).Contains(
            "replica r3 has no state on node n3's disk, but the group exists", StringComparison.Ordinal) ? "" : null), "the refusal in n3's log");
        var r3 = (await StatusAsync(client)).Single(s => s.Replica == "r3");
        Assert.False(r3.Running);
        Assert.False(r3.HasStoredState);
        Assert.Contains("holds no state for replica r3", r3.Error);
        // The other two still make a majority.
        Assert.Equal(KvStatus.Ok, (await EventuallyAsync(async () =>
        {
            var r = await Gateway(client).Set("after", "wipe");
            return r.Status == KvStatus.Ok ? r : null;
        }, "a write after the wipe")).Status);
    }
}
