using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Raft.Client;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// Two silos of the real web app (SiloWebApp) in this process, nodes n1 and n2, with mutual TLS on their silo and
/// gateway ports and certificates from one test authority. The store is one group of two replicas, one on each node,
/// so every write is committed only when the other silo has it: Raft's traffic crosses the silo ports.
/// </summary>
public sealed class TlsCluster : IAsyncLifetime
{
    private readonly List<WebApplication> _silos = [];

    public TlsCertificates Certificates { get; } = new();
    public string Group { get; private set; } = "";
    public string ClusterId { get; private set; } = "";
    public int[] GatewayPorts { get; private set; } = [];

    /// <summary>Silo n1's web port (plain HTTP: these silos keep Tls:Https off).</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The arguments that turn TLS on with a certificate of the test authority, trusted through Tls:CaCertificatePath.</summary>
    public string[] TlsArguments(string name) =>
        ["--tls-certificate", Certificates.IssuePfx(name), "--Tls:CertificatePassword", TlsCertificates.Password, "--tls-ca", Certificates.AuthorityPath];

    /// <summary>What a client needs to connect: its certificate and the authority it trusts.</summary>
    public RaftTlsSettings ClientSettings(string name) => new()
    {
        CertificatePath = Certificates.IssuePfx(name),
        CertificatePassword = TlsCertificates.Password,
        CaCertificatePath = Certificates.AuthorityPath,
    };

    public async Task InitializeAsync()
    {
        string[] cluster = ["--initial-nodes", "n1,n2", "--groups", "1", "--Raft:RequestTimeout", "00:00:05"];
        // The CLI's cluster id: it has no option for another.
        ClusterId = "orleans-raft";
        var first = WebSilo.Arguments(out var group, [.. TlsArguments("silo-n1"), .. cluster, "--node", "n1", "--Silo:ClusterId", ClusterId]);
        Group = group;
        var second = WebSilo.Arguments(out _,
        [
            .. TlsArguments("silo-n2"), .. cluster, "--node", "n2",
            "--primary-port", Value(first, "--silo-port"), "--Silo:ClusterId", ClusterId, "--group", Group,
        ]);
        GatewayPorts = [int.Parse(Value(first, "--gateway-port")), int.Parse(Value(second, "--gateway-port"))];
        foreach (var args in new[] { first, second })
        {
            var app = SiloWebApp.Build(args);
            _silos.Add(app);
            await app.StartAsync();
        }
        Http = new HttpClient { BaseAddress = new Uri(_silos[0].Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        await WaitForLeaderAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>An Orleans client of one gateway, over TLS when <paramref name="tls"/> is set; throws when it cannot connect.</summary>
    public async Task<IHost> ConnectAsync(int gatewayPort, RaftTlsSettings? tls)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = "orleans-raft";
            });
            if (tls is not null) client.UseRaftTls(tls);
            // One attempt: a refused connection surfaces as the start's exception instead of retries until cancelled.
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
        });
        var host = builder.Build();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StartAsync(cts.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        // The joining silo first: instance n1 holds the development membership table.
        for (var i = _silos.Count - 1; i >= 0; i--)
        {
            await _silos[i].StopAsync();
            await _silos[i].DisposeAsync();
        }
        Certificates.Dispose();
    }

    private async Task WaitForLeaderAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            using (var response = await Http.GetAsync("/api/status", cts.Token))
            {
                using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
                var groups = status.RootElement.GetProperty("groups").EnumerateArray().ToArray();
                if (groups.Length > 0 && groups.All(g => g.GetProperty("leader").ValueKind == JsonValueKind.String)) return;
            }
            await Task.Delay(100, cts.Token);
        }
    }

    private static string Value(string[] args, string name) => args[Array.LastIndexOf(args, name) + 1];
}
