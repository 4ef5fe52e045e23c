using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A 3-silo TestCluster hosting Raft. Tests start their own groups so they never share state.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public virtual async Task InitializeAsync()
    {
        var builder = RaftTestSilo.CreateClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        ConfigureBuilder(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Adds to the silos' configuration, after the shared one.</summary>
    protected virtual void ConfigureBuilder(TestClusterBuilder builder)
    {
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A second, independent client connected to the cluster's gateways.</summary>
    public async Task<IHost> StartFreshClientAsync()
    {
        var gateways = Cluster.GetActiveSilos().Select(s => s.GatewayAddress.Endpoint).ToArray();
        var options = Cluster.Options;
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(c =>
        {
            c.UseStaticClustering(gateways);
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(3);
                // Snapshot often and in small chunks, so every test also runs through compaction and InstallSnapshot.
                o.SnapshotEvery = 64;
                o.SnapshotChunkBytes = 512;
                o.SnapshotCatchUpEntries = 16;
            });
            silo.UseFastSiloDeathDetection();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>A cluster of its own for tests that kill silos; its replicas keep 64 changes for watchers.</summary>
public sealed class KillableClusterFixture : ClusterFixture
{
    protected override void ConfigureBuilder(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<SmallHistory>();

    private sealed class SmallHistory : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Services.Configure<RaftOptions>(o => o.WatchHistoryEvents = 64);
    }
}

[CollectionDefinition(Name)]
public sealed class KillableClusterCollection : ICollectionFixture<KillableClusterFixture>
{
    public const string Name = "killable cluster";
}
