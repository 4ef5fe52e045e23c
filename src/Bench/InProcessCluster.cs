using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Bench;

/// <summary>A one-silo cluster inside this process, with a client that reaches it through its gateway like any other client.</summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly IHost _silo;
    private readonly IHost _client;
    private readonly ShutdownLogFilter _logFilter;

    private InProcessCluster(IHost silo, IHost client, ShutdownLogFilter logFilter)
    {
        _logFilter = logFilter;
        _silo = silo;
        _client = client;
    }

    public IClusterClient Client => _client.Services.GetRequiredService<IClusterClient>();

    /// <summary>Where an outside client reaches this cluster.</summary>
    public int GatewayPort { get; private init; }

    /// <param name="clusterId">The cluster id; an outside client expects the real silo's "orleans-raft".</param>
    /// <param name="configureSilo">Runs last: for example to choose SQLite storage over the default in-memory one.</param>
    /// <param name="faultInjection">A demo cluster takes faults; false leaves AddRaftFaultInjection out.</param>
    public static async Task<InProcessCluster> StartAsync(
        Action<RaftOptions> configure, bool verbose = false, string? clusterId = null, Action<ISiloBuilder>? configureSilo = null, bool faultInjection = true)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var serviceId = clusterId ?? "orleans-raft-inproc";
        clusterId ??= $"inproc-{siloPort}";
        var siloBuilder = Host.CreateApplicationBuilder();
        var logFilter = new ShutdownLogFilter(verbose ? LogLevel.Information : LogLevel.Error);
        ConfigureLogging(siloBuilder.Logging, verbose);
        siloBuilder.Logging.AddFilter(logFilter.Allows);
        siloBuilder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
            silo.UseInMemoryReminderService();
            // The replicas' keep-alive reminder fires every few seconds; Orleans' default minimum is a minute.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.AddRaft(configure: configure);
            silo.UseInMemoryRaftStorage();
            if (faultInjection) silo.AddRaftFaultInjection();
            configureSilo?.Invoke(silo);
        });
        var silo = siloBuilder.Build();
        await silo.StartAsync();

        var clientBuilder = Host.CreateApplicationBuilder();
        ConfigureLogging(clientBuilder.Logging, verbose);
        clientBuilder.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, serviceId: serviceId, clusterId: clusterId));
        var client = clientBuilder.Build();
        await client.StartAsync();
        return new InProcessCluster(silo, client, logFilter) { GatewayPort = gatewayPort };
    }

    /// <summary>Waits until some replica of the group leads.</summary>
    public async Task WaitForLeaderAsync(string group, TimeSpan timeout)
    {
        var gateway = Client.GetGrain<IKeyValueGatewayGrain>(group);
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var statuses = await gateway.GetStatus();
            if (statuses.Any(s => s.Role == ReplicaRole.Leader)) return;
            await Task.Delay(50, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync();
        _client.Dispose();
        // Messages still in flight between the replicas fail from here on, as expected.
        _logFilter.Stopping();
        await _silo.StopAsync();
        _silo.Dispose();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose)
    {
        logging.ClearProviders();
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
