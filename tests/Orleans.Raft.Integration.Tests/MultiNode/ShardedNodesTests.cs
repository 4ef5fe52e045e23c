using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Integration.Tests.MultiNode;

/// <summary>
/// Three nodes (silo processes with their own SQLite directories) clustered through a real redis-server and created
/// with the defaults of a cluster: twelve groups of three replicas. A node killed with kill -9 leaves every group
/// serving, and comes back only with the number of groups it was created with.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ShardedNodesTests : IAsyncLifetime
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-sharded-").FullName;
    private readonly Dictionary<string, SiloProcess> _nodes = [];
    private RedisServer _redis = null!;

    private string[] Arguments(string node, params string[] extra) =>
    [
        "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
        "--node", node, "--initial-nodes", string.Join(",", Nodes), "--data", Path.Combine(_data, node), .. extra,
    ];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var starts = Nodes.Select(n => SiloProcess.StartAsync(n, Arguments(n))).ToArray();
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

    private static IKeyValueGatewayGrain Store(IHost client) => client.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>("default");

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

    [Fact]
    public async Task Kill_9_of_a_node_leaves_every_group_serving_and_it_returns_only_with_the_groups_it_was_created_with()
    {
        using var client = await ConnectAsync();
        var shards = await Store(client).GetShardMap();
        Assert.Equal(new ShardMap("default", 12), shards);
        // Every group elects a leader, and each node leads about as many (the preferred replicas, then the balancer).
        var groups = await EventuallyAsync(async () =>
        {
            var all = await Store(client).GetGroups();
            return all.All(g => g.Leader is not null) ? all : null;
        }, "a leader in every group");
        Assert.All(groups, g => Assert.Equal(3, g.Members.Select(m => ReplicaKey.SplitMember(m).Node).Distinct().Count()));

        var keys = shards.Groups.Select(g => Enumerable.Range(0, 10_000).Select(i => $"k{i}").First(k => shards.GroupOf(k) == g)).ToArray();
        foreach (var key in keys) await EventuallyAsync(async () => (await Store(client).Set(key, "before")).Status == KvStatus.Ok ? "" : null, $"a write to {key}");

        var victim = _nodes["n2"];
        victim.Kill();
        foreach (var key in keys)
        {
            await EventuallyAsync(async () => (await Store(client).Set(key, "after")).Status == KvStatus.Ok ? "" : null,
                $"a write to {key} (group {shards.GroupOf(key)}) with n2 dead");
        }

        // Started with another number of groups, the node refuses before it joins, with exit code 2.
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync("n2-wrong", Arguments("n2", "--groups", "6")));
        Assert.Contains("exited with code 2", wrong.Message);
        Assert.Contains("belongs to a cluster created with 12 groups, not 6", wrong.Message);

        // A new node given another number of groups is refused too: the others know the store's.
        var stranger = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync("n4", Arguments("n4", "--groups", "6")));
        Assert.Contains("exited with code 2", stranger.Message);
        Assert.Contains("node 'n4' was started with 6 groups, but store 'default' has", stranger.Message);

        // Started as it was created, its replicas come back from its disk and catch up.
        await victim.RestartAsync();
        await EventuallyAsync(async () =>
        {
            var all = await Store(client).GetGroups();
            return all.All(g => g.Leader is not null && g.Live == 3) ? all : null;
        }, "every replica on n2 to run again");
        foreach (var key in keys) Assert.Equal("after", (await EventuallyAsync(() => Store(client).Get(key)!, $"a read of {key}")).Value);
    }
}
