using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Nemesis;

/// <summary>A 4-silo TestCluster over TCP hosting Raft with in-memory storage, as the integration tests' fixture does.</summary>
public static class NemesisCluster
{
    public const int Silos = 4;

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    public static async Task<TestCluster> StartAsync()
    {
        var builder = new TestClusterBuilder(Silos);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.UseInMemoryReminderService();
            silo.AddRaft(configure: o =>
            {
                o.StartReplicas = false;
                // Process-wide, so a replica's state outlives its silo's death the way a disk would.
                o.Storage = RaftStorageKind.InMemory;
                o.RequestTimeout = RequestTimeout;
                // Compaction now and then, while leaving most of the log to compare across replicas.
                o.SnapshotEvery = 2000;
            });
            // Declare a killed silo dead quickly so its grains reactivate elsewhere.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        }
    }
}
