using System.Net;
using Microsoft.AspNetCore.Builder;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>HTTPS on the web port, and the clear errors of TLS settings that cannot work.</summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly TlsCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task Tls_Https_serves_the_web_port_over_https_only_with_the_TLS_certificate()
    {
        var args = WebSilo.Arguments(out _,
            "--tls-certificate", _certificates.IssuePfx("web"), "--Tls:CertificatePassword", TlsCertificates.Password,
            "--tls-ca", _certificates.AuthorityPath, "--Tls:Https", "true");
        await using var app = SiloWebApp.Build(args);
        await app.StartAsync();
        try
        {
            var url = new Uri(app.Urls.Single());
            Assert.Equal("https", url.Scheme);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => _certificates.IsIssuedByAuthority(certificate) };
            using var https = new HttpClient(handler) { BaseAddress = url };
            using (var live = await https.GetAsync("/healthz"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            // The same port in plain HTTP: Kestrel closes the connection without a response.
            using var plain = new HttpClient { BaseAddress = new UriBuilder(url) { Scheme = "http" }.Uri };
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync("/healthz"));
            Assert.Equal(HttpRequestError.ResponseEnded, refused.HttpRequestError);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Theory]
    [InlineData("missing file", "Tls: the certificate file '{dir}/nowhere.pfx' (CertificatePath) does not exist")]
    [InlineData("wrong password", "Tls: cannot open the certificate '{pfx}' as PKCS#12: wrong CertificatePassword, or not a .pfx/.p12 file")]
    [InlineData("no private key", "Tls: the certificate CN=bare (")]
    [InlineData("expired", "Tls: the certificate CN=expired (")]
    [InlineData("no client authentication", "Tls: the certificate CN=server-only (")]
    [InlineData("enabled without a certificate", "Tls:Enabled needs a certificate: Tls:CertificatePath")]
    [InlineData("two ways to check peers", "Tls: AllowUntrustedCertificates, AllowedThumbprints and CaCertificatePath each say how a peer is checked: set one of them at most")]
    [InlineData("a bad thumbprint", "Tls: 'xyz' in AllowedThumbprints is not a SHA-1 thumbprint (40 hexadecimal digits)")]
    [InlineData("https without a certificate", "Tls:Https needs a certificate")]
    public void A_TLS_setting_that_cannot_work_stops_the_silo_with_the_reason(string problem, string expected)
    {
        var directory = Path.GetDirectoryName(_certificates.AuthorityPath)!;
        var good = _certificates.IssuePfx("good");
        string[] certificate = ["--tls-certificate", good, "--Tls:CertificatePassword", TlsCertificates.Password];
        string[] settings = problem switch
        {
            "missing file" => ["--tls-certificate", Path.Combine(directory, "nowhere.pfx")],
            "wrong password" => ["--tls-certificate", good, "--Tls:CertificatePassword", "not-it"],
            "no private key" => ["--tls-certificate", _certificates.IssuePfx("bare", withKey: false), "--Tls:CertificatePassword", TlsCertificates.Password],
            "expired" => ["--tls-certificate", _certificates.IssuePfx("expired", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1)), "--Tls:CertificatePassword", TlsCertificates.Password],
            "no client authentication" => ["--tls-certificate", _certificates.IssuePfx("server-only", clientAuthentication: false), "--Tls:CertificatePassword", TlsCertificates.Password],
            "enabled without a certificate" => ["--Tls:Enabled", "true"],
            "two ways to check peers" => [.. certificate, "--tls-ca", _certificates.AuthorityPath, "--Tls:AllowUntrustedCertificates", "true"],
            "a bad thumbprint" => [.. certificate, "--Tls:AllowedThumbprints", "xyz"],
            "https without a certificate" => ["--Tls:Https", "true"],
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
        };
        var error = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, settings)));
        Assert.StartsWith(expected.Replace("{dir}", directory).Replace("{pfx}", good), error.Message);
        var detail = problem switch
        {
            "no private key" => "has no private key",
            "expired" => "expired on",
            "no client authentication" => "is not allowed for client authentication",
            _ => "",
        };
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public async Task The_CLI_reports_an_unusable_certificate_as_a_usage_error_before_connecting()
    {
        var missing = Path.Combine(Path.GetDirectoryName(_certificates.AuthorityPath)!, "nowhere.pfx");
        var (code, output, error) = await TlsClusterTests.RunCliAsync(["--gateway", "127.0.0.1:1", "--tls-certificate", missing, "get", "k"]);
        Assert.Equal((ExitCodes.Usage, ""), (code, output));
        Assert.Equal($"error: the certificate file '{missing}' (--tls-certificate) does not exist\n", error);

        (code, _, error) = await TlsClusterTests.RunCliAsync(["--gateway", "127.0.0.1:1", "--tls", "get", "k"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("error: --tls needs --tls-certificate: the silos require a client certificate\n", error);
    }
}
