using System.Collections.Concurrent;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Four silos, each a node named after its TestCluster silo, each with its own in-memory "disk" that outlives the
/// silo: a group of three pinned replicas leaves one node spare for a replacement. Self-repair is off, so only the
/// tests replace replicas.
/// </summary>
public sealed class MembershipNodeClusterFixture() : SiloClusterFixture<MembershipNodeClusterFixture.Configurator>(4)
{
    public static readonly ConcurrentDictionary<string, InMemoryRaftStorage> Disks = new(StringComparer.Ordinal);

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var node = silo.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
            silo.AddRaftForTests(o =>
            {
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
                o.SnapshotEvery = 64;
                o.SnapshotCatchUpEntries = 16;
                o.ReplaceDeadNodeAfter = TimeSpan.Zero;
            });
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => o.Name = node);
            silo.UseFastSiloDeathDetection();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MembershipNodeClusterCollection : ICollectionFixture<MembershipNodeClusterFixture>
{
    public const string Name = "Membership node cluster";
}
