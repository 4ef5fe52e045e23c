using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp;

/// <summary>Connects a one-shot client to silo gateways, and fails fast with a reason a person can act on.</summary>
public static class ClusterConnection
{
    /// <summary>How long the Orleans handshake may take before the client checks whether the port speaks HTTP.</summary>
    private static readonly TimeSpan HandshakeGrace = TimeSpan.FromSeconds(2);

    public static IClusterConnector Connector { get; } = new GatewayConnector();

    public static Task<IHost> ConnectAsync(GatewayEndpoint gateway, bool verbose, string clusterId = "orleans-raft", string serviceId = "orleans-raft") =>
        ConnectAsync(new GatewayList([gateway]), verbose, clusterId, serviceId);

    /// <summary>Connects through any of the gateways; fails with the first one's reason when none answers.</summary>
    /// <param name="configure">Runs last on the client builder: for example to add a gateway count handler.</param>
    /// <param name="tls">Set: mutual TLS to the gateways, with its certificate and checks.</param>
    public static async Task<IHost> ConnectAsync(
        GatewayList gateways, bool verbose, string clusterId = "orleans-raft", string serviceId = "orleans-raft", Action<IClientBuilder>? configure = null,
        RaftTlsSettings? tls = null)
    {
        // Fail fast with the socket's own reason when nothing listens at any of them; use only those that answer.
        var probes = await Task.WhenAll(gateways.Endpoints.Select(ProbeAsync));
        var reachable = probes.Where(p => p.Error is null).Select(p => (p.Gateway, p.Address)).ToList();
        if (reachable.Count == 0) throw probes[0].Error!;

        // An empty builder: no appsettings, environment or command-line configuration, no logging providers to
        // load; a one-shot command needs none of them.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (verbose) builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. reachable.Select(r => r.Address)]);
            // Must match the silo's Silo:ClusterId and Silo:ServiceId.
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            // Static gateways and one command: the periodic gateway list refresh never runs in time to matter.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromMinutes(10));
            if (tls is { IsEnabled: true }) client.UseRaftTls(tls);
            configure?.Invoke(client);
        });
        var app = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            var start = app.StartAsync(cts.Token);
            if (await Task.WhenAny(start, Task.Delay(HandshakeGrace, cts.Token)) != start)
            {
                foreach (var (gateway, address) in reachable)
                {
                    if (!await SpeaksHttpAsync(address.Address, address.Port)) continue;
                    await cts.CancelAsync();
                    throw new WrongPortException(gateway);
                }
            }
            await start;
        }
        catch
        {
            app.Dispose();
            throw;
        }
        return app;
    }

    private static async Task<(GatewayEndpoint Gateway, IPEndPoint Address, Exception? Error)> ProbeAsync(GatewayEndpoint gateway)
    {
        var address = new IPEndPoint(IPAddress.Loopback, gateway.Port);
        try
        {
            address = new IPEndPoint(await ResolveAsync(gateway.Host), gateway.Port);
            using var probe = new TcpClient(address.AddressFamily);
            using var probeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await probe.ConnectAsync(address, probeTimeout.Token);
            return (gateway, address, null);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return (gateway, address, ex);
        }
    }

    public static string Describe(Exception ex)
    {
        while (ex is AggregateException { InnerException: { } inner }) ex = inner;
        var message = ex.Message.Split('\n')[0].Trim();
        return ex is OperationCanceledException ? "timed out connecting" : message;
    }

    private static async Task<IPAddress> ResolveAsync(string host)
    {
        if (IPAddress.TryParse(host, out var ip)) return ip;
        if (host == "localhost") return IPAddress.Loopback;
        var addresses = await Dns.GetHostAddressesAsync(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
    }

    /// <summary>Asked only when the Orleans handshake stalls, so a healthy gateway never sees this request.</summary>
    private static async Task<bool> SpeaksHttpAsync(IPAddress address, int port)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var client = new TcpClient(address.AddressFamily);
            await client.ConnectAsync(address, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HEAD / HTTP/1.0\r\n\r\n"), timeout.Token);
            var buffer = new byte[5];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
            }
            return Encoding.ASCII.GetString(buffer, 0, read) == "HTTP/";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private sealed class GatewayConnector : IClusterConnector
    {
        public Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose) => ConnectAsync(gateways, verbose, null);

        public async Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose, RaftTlsSettings? tls)
        {
            var host = await ClusterConnection.ConnectAsync(gateways, verbose, tls: tls);
            return new ConnectedClient(host.Services.GetRequiredService<IClusterClient>(), async () =>
            {
                try
                {
                    await host.StopAsync(TimeSpan.FromSeconds(2));
                }
                catch (Exception)
                {
                    // Nothing to save on the way out.
                }
                host.Dispose();
            });
        }
    }
}
