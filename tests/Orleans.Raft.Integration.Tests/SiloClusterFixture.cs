using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A TestCluster of <paramref name="silos"/> silos configured by <typeparamref name="TConfigurator"/>.</summary>
public abstract class SiloClusterFixture<TConfigurator>(short silos) : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
