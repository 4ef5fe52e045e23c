using System.Collections.Concurrent;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// As <see cref="NodeClusterFixture"/>: three nodes, each with its own in-memory disk, with quiescence on (the default)
/// and self-repair off, so that a killed node's replicas are not replaced while a test watches its group.
/// </summary>
public sealed class QuiescenceClusterFixture() : SiloClusterFixture<QuiescenceClusterFixture.Configurator>(3)
{
    public static readonly ConcurrentDictionary<string, InMemoryRaftStorage> Disks = new(StringComparer.Ordinal);

    private readonly Dictionary<string, SiloHandle> _silos = new(StringComparer.Ordinal);

    /// <summary>The nodes, the primary silo's first; a killed node restarted by <see cref="RestartAsync"/> keeps its place.</summary>
    public string[] Nodes => [.. Known.Select(s => s.Name)];

    /// <summary>The live silo of a node.</summary>
    public SiloHandle SiloOf(string node) => Known.Single(s => s.Name == node);

    /// <summary>Starts a killed node's silo again, under its name (TestCluster forgets a killed silo).</summary>
    public async Task RestartAsync(SiloHandle killed)
    {
        var restarted = await Cluster.StartSiloAsync(killed.InstanceNumber, Cluster.Options);
        lock (_silos) _silos[restarted.Name] = restarted;
    }

    private IEnumerable<SiloHandle> Known
    {
        get
        {
            lock (_silos)
            {
                foreach (var s in Cluster.Silos) _silos.TryAdd(s.Name, s);
                return [.. _silos.Values.OrderBy(s => s.InstanceNumber)];
            }
        }
    }

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var node = silo.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestCluster gave the silo no name");
            silo.AddRaftForTests(o =>
            {
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
                o.ReplaceDeadNodeAfter = TimeSpan.Zero;
            });
            silo.UseInMemoryRaftStorage(Disks.GetOrAdd(node, _ => new InMemoryRaftStorage()));
            silo.Configure<RaftNodeOptions>(o => o.Name = node);
            silo.UseFastSiloDeathDetection();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class QuiescenceClusterCollection : ICollectionFixture<QuiescenceClusterFixture>
{
    public const string Name = "Quiescence cluster";
}
