using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Nemesis;

/// <summary>A 4-silo TestCluster over TCP hosting Raft with in-memory storage, with the integration tests' silo configuration.</summary>
public static class NemesisCluster
{
    public const int Silos = 4;

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The changes each replica keeps for watchers: far more than a run writes (some thousands a minute), so that a
    /// watcher that resumes after a failure is never told Compacted for lack of history.
    /// </summary>
    public const int WatchHistoryEvents = 1_000_000;

    /// <summary>The silos' configuration key that carries the read mode to <see cref="SiloConfigurator"/>.</summary>
    private const string ReadModeKey = "NemesisReadMode";

    public static async Task<TestCluster> StartAsync(RaftReadMode readMode = RaftReadMode.ReadIndex)
    {
        var builder = RaftTestSilo.CreateClusterBuilder(Silos);
        builder.Properties[ReadModeKey] = readMode.ToString();
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            // The test cluster makes the configurator itself, so the read mode comes through the silo's configuration.
            var readMode = Enum.Parse<RaftReadMode>(silo.Configuration[ReadModeKey] ?? nameof(RaftReadMode.ReadIndex));
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = RequestTimeout;
                o.ReadMode = readMode;
                // Compaction now and then, while leaving most of the log to compare across replicas.
                o.SnapshotEvery = 2000;
                // A member add waits this long for its learner's promotion (which the leader makes later anyway):
                // short, so the membership nemesis goes on rather than wait out a partition.
                o.LearnerCatchUpTimeout = TimeSpan.FromSeconds(10);
                o.WatchHistoryEvents = WatchHistoryEvents;
            });
            silo.UseFastSiloDeathDetection();
        }
    }
}
