using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A lone silo in the test process, for tests that put their own storage or call filter under the replicas; a shared
/// TestCluster cannot take either without affecting every other test.
/// </summary>
public static class InProcessSilo
{
    public static async Task<IHost> StartAsync(IRaftStorage storage, string name, Action<ISiloBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(storage);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: $"orleans-raft-{name}", clusterId: $"{name}-{Guid.NewGuid():N}");
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = RaftTestSilo.MinimumReminderPeriod);
            silo.AddRaft(configure: o =>
            {
                o.StartReplicas = false;
                o.RequestTimeout = TimeSpan.FromSeconds(3);
            });
            configure?.Invoke(silo);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
