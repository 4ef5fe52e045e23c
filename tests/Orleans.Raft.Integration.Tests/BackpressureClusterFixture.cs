using Orleans.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A one-silo cluster whose leaders hold at most <see cref="MaxUncommittedEntries"/> uncommitted writes. Check-quorum is
/// off, so a leader that has lost its followers keeps leading and its backlog can be observed.
/// </summary>
public sealed class BackpressureClusterFixture : IAsyncLifetime
{
    public const int MaxUncommittedEntries = 8;

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(3);
                o.CheckQuorum = false;
                o.MaxUncommittedEntries = MaxUncommittedEntries;
            });
        }
    }
}
