using System.Collections.Concurrent;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Three silos, each a node named after its TestCluster silo (Primary, Secondary_1, ...), each with its own in-memory
/// "disk" that outlives the silo, so a node restarted under the same name finds its replicas again.
/// </summary>
public sealed class NodeClusterFixture() : SiloClusterFixture<NodeClusterFixture.Configurator>(3)
{
    public static readonly ConcurrentDictionary<string, InMemoryRaftStorage> Disks = new(StringComparer.Ordinal);

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var node = silo.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
            silo.AddRaftForTests(o => o.ReminderPeriod = TimeSpan.FromSeconds(2));
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => o.Name = node);
            silo.UseFastSiloDeathDetection();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class NodeClusterCollection : ICollectionFixture<NodeClusterFixture>
{
    public const string Name = "Node cluster";
}
