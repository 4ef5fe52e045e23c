using Orleans.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Nemesis;

/// <summary>A 4-silo TestCluster over TCP hosting Raft with in-memory storage, with the integration tests' silo configuration.</summary>
public static class NemesisCluster
{
    public const int Silos = 4;

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    public static async Task<TestCluster> StartAsync()
    {
        var builder = RaftTestSilo.CreateClusterBuilder(Silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = RequestTimeout;
                // Compaction now and then, while leaving most of the log to compare across replicas.
                o.SnapshotEvery = 2000;
                // A member add waits this long for its learner's promotion (which the leader makes later anyway):
                // short, so the membership nemesis goes on rather than wait out a partition.
                o.LearnerCatchUpTimeout = TimeSpan.FromSeconds(10);
            });
            silo.UseFastSiloDeathDetection();
        }
    }
}
