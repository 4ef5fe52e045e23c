using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Client;
using Orleans.Raft.ClientApp;
using Orleans.Runtime.Messaging;

namespace Orleans.Raft.Web.Tests;

/// <summary>Mutual TLS on the silo and gateway ports: two silos that replicate over it, and the clients it refuses.</summary>
public sealed class TlsClusterTests(TlsCluster cluster) : IClassFixture<TlsCluster>
{
    [Fact]
    public async Task Writes_through_one_silo_are_read_through_the_other_over_mutual_TLS()
    {
        using var first = await cluster.ConnectAsync(cluster.GatewayPorts[0], cluster.ClientSettings("client-a"));
        using var second = await cluster.ConnectAsync(cluster.GatewayPorts[1], cluster.ClientSettings("client-b"));
        var viaFirst = first.Services.GetRequiredService<IClusterClient>().GetRaftKeyValueStore(cluster.Group);
        var viaSecond = second.Services.GetRequiredService<IClusterClient>().GetRaftKeyValueStore(cluster.Group);

        // Two replicas, one per silo: each write is committed only once the other silo has it.
        for (var i = 0; i < 5; i++)
        {
            var written = await (i % 2 == 0 ? viaFirst : viaSecond).PutAsync($"tls/{i}", $"v{i}");
            var read = await (i % 2 == 0 ? viaSecond : viaFirst).GetAsync($"tls/{i}");
            Assert.Equal(($"v{i}", written.ModRevision), (read?.Value, read?.ModRevision));
        }
    }

    [Fact]
    public async Task A_plaintext_client_is_refused()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.ConnectAsync(cluster.GatewayPorts[0], tls: null));
        AssertRefused(refused);
    }

    [Fact]
    public async Task A_client_whose_certificate_another_authority_issued_is_refused()
    {
        using var stranger = new TlsCertificates("Some other CA");
        var settings = new RaftTlsSettings
        {
            CertificatePath = stranger.IssuePfx("stranger"),
            CertificatePassword = TlsCertificates.Password,
            // It trusts the cluster: only the silo's check of its certificate stands in the way.
            CaCertificatePath = cluster.Certificates.AuthorityPath,
        };
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.ConnectAsync(cluster.GatewayPorts[0], settings));
        AssertRefused(refused);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_silos_certificate_does_not_connect()
    {
        using var stranger = new TlsCertificates("Some other CA");
        var settings = cluster.ClientSettings("client-c");
        settings.CaCertificatePath = stranger.AuthorityPath;
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => cluster.ConnectAsync(cluster.GatewayPorts[1], settings));
        AssertRefused(refused);
    }

    [Fact]
    public async Task The_CLI_sets_and_gets_over_TLS_and_without_it_is_unreachable()
    {
        var (certificate, key) = cluster.Certificates.IssuePem("cli");
        string[] tls = ["--tls-certificate", certificate, "--tls-key", key, "--tls-ca", cluster.Certificates.AuthorityPath];
        string[] gateway = ["--gateway", $"127.0.0.1:{cluster.GatewayPorts[0]}", "--group", cluster.Group];
        var set = await RunCliAsync([.. gateway, .. tls, "set", "cli/k", "over-tls"]);
        Assert.Equal((ExitCodes.Ok, ""), (set.Code, set.Err));
        var get = await RunCliAsync([.. gateway, .. tls, "get", "cli/k"]);
        Assert.Equal((ExitCodes.Ok, "over-tls"), (get.Code, get.Out.Trim()));

        var plain = await RunCliAsync([.. gateway, "get", "cli/k"]);
        Assert.Equal(ExitCodes.Unreachable, plain.Code);
        Assert.StartsWith($"error: cannot reach a silo at 127.0.0.1:{cluster.GatewayPorts[0]}: ", plain.Err);
        Assert.EndsWith("(a silo with TLS on answers only clients with --tls-certificate)\n", plain.Err);
    }

    /// <summary>What Orleans reports when the gateway closes the connection during the TLS handshake.</summary>
    private static void AssertRefused(Exception refused)
    {
        var failed = Assert.IsType<ConnectionFailedException>(refused);
        Assert.Equal("Unable to connect to any of the 1 available gateways.", failed.Message);
        Assert.IsType<ConnectionFailedException>(failed.InnerException);
    }

    internal static async Task<(int Code, string Out, string Err)> RunCliAsync(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ClientCli.InvokeAsync(args, ClientIO.ForTest(stdout, stderr), ClusterConnection.Connector);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
