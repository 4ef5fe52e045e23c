using System.Collections.Concurrent;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Four silos, each a node named after its TestCluster silo with its own in-memory "disk", created as a cluster of
/// those four nodes (Cluster:InitialNodes) whose store "default" is split over <see cref="Groups"/> groups of three
/// replicas, started by the nodes themselves. The leader balancer looks every second; self-repair is off.
/// </summary>
public sealed class ShardedClusterFixture() : SiloClusterFixture<ShardedClusterFixture.Configurator>(4), IAsyncLifetime
{
    public const int Groups = 8;
    public const string Store = "default";
    public static readonly string[] Nodes = ["Primary", "Secondary_1", "Secondary_2", "Secondary_3"];

    public static readonly ConcurrentDictionary<string, InMemoryRaftStorage> Disks = new(StringComparer.Ordinal);

    private readonly List<SiloHandle> _restarted = [];

    public IKeyValueGatewayGrain Gateway => Client.GetGrain<IKeyValueGatewayGrain>(Store);

    public ShardMap Shards { get; } = new(Store, Groups);

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var node = silo.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
            silo.AddRaftForTests(o =>
            {
                o.StartReplicas = true;
                o.Groups = Groups;
                o.ReplicationFactor = 3;
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
                o.ReplaceDeadNodeAfter = TimeSpan.Zero;
                o.LeaderBalanceInterval = TimeSpan.FromSeconds(1);
            });
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => (o.Name, o.InitialNodes) = (node, Nodes));
            silo.UseFastSiloDeathDetection();
        }
    }

    /// <summary>Starts a killed node's silo again under its name, on its disk; it is stopped with the cluster.</summary>
    public async Task RestartAsync(SiloHandle killed)
    {
        var silo = await Cluster.StartSiloAsync(killed.InstanceNumber, Cluster.Options);
        Assert.Equal(killed.Name, silo.Name);
        _restarted.Add(silo);
    }

    /// <summary>Every group's summary once each has a leader that a majority of its members follow.</summary>
    public Task<GroupSummary[]> WaitForLeadersAsync() => RaftGroup.WaitForAsync(async () =>
    {
        var groups = await Gateway.GetGroups();
        return groups.Length == Groups && groups.All(g => g.Leader is not null && g.Live > g.Members.Length / 2) ? groups : null;
    }, "a leader in every group");

    /// <summary>A group as the test helpers know it, with its members as its directory has them now.</summary>
    public async Task<RaftGroup> GroupAsync(string group) =>
        new(Client, group, await Client.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers());

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var silo in _restarted)
        {
            try
            {
                await silo.StopSiloAsync(stopGracefully: false);
            }
            finally
            {
                await silo.DisposeAsync();
            }
        }
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ShardedClusterCollection : ICollectionFixture<ShardedClusterFixture>
{
    public const string Name = "Sharded cluster";
}
