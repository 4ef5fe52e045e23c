using System.Collections.Concurrent;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// As <see cref="MembershipNodeClusterFixture"/>, four nodes with their own in-memory disks, with self-repair replacing
/// a node's replicas once it has been dead for <see cref="ReplaceDeadNodeAfter"/>.
/// </summary>
public sealed class SelfRepairClusterFixture() : SiloClusterFixture<SelfRepairClusterFixture.Configurator>(4)
{
    public static readonly TimeSpan ReplaceDeadNodeAfter = TimeSpan.FromSeconds(3);

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
                o.ReplaceDeadNodeAfter = ReplaceDeadNodeAfter;
            });
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => o.Name = node);
            silo.UseFastSiloDeathDetection();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SelfRepairClusterCollection : ICollectionFixture<SelfRepairClusterFixture>
{
    public const string Name = "Self-repair cluster";
}
