using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orleans.Raft.Client;

namespace Orleans.Raft.Silo;

/// <summary>
/// The "Tls" section: mutual TLS on the silo and gateway ports (Orleans.Connections.Security) and, with Tls:Https,
/// HTTPS on the web port, with one certificate. Loaded and checked before the host is built.
/// </summary>
internal sealed class SiloTls
{
    /// <summary>True to serve the web port over HTTPS only, with the TLS certificate.</summary>
    public const string HttpsKey = "Https";

    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    private SiloTls(RaftTlsSettings settings, X509Certificate2? certificate, bool orleans, bool https, string trust)
    {
        Settings = settings;
        Certificate = certificate;
        Orleans = orleans;
        Https = https;
        Trust = trust;
    }

    public RaftTlsSettings Settings { get; }
    public X509Certificate2? Certificate { get; }

    /// <summary>TLS on the silo and gateway ports.</summary>
    public bool Orleans { get; }

    /// <summary>HTTPS on the web port.</summary>
    public bool Https { get; }

    private string Trust { get; }

    /// <summary>Reads and checks the section; throws <see cref="SiloConfigurationException"/> saying which setting is wrong.</summary>
    public static SiloTls Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(RaftTlsSettings.SectionName);
        RaftTlsSettings settings;
        bool https;
        try
        {
            settings = section.Get<RaftTlsSettings>() ?? new RaftTlsSettings();
            https = section.GetValue<bool>(HttpsKey);
        }
        catch (InvalidOperationException ex)
        {
            // A value the binder cannot convert, e.g. Tls:StoreLocation Nowhere.
            throw new SiloConfigurationException($"{RaftTlsSettings.SectionName}: {ex.InnerException?.Message ?? ex.Message}");
        }
        var orleans = settings.IsEnabled;
        if (!orleans && !https) return new SiloTls(settings, null, false, false, "");
        if (!settings.HasCertificateSource)
        {
            throw new SiloConfigurationException(
                $"{(orleans ? $"{RaftTlsSettings.SectionName}:Enabled" : $"{RaftTlsSettings.SectionName}:{HttpsKey}")} needs a certificate: " +
                $"{RaftTlsSettings.SectionName}:CertificatePath (a .pfx, or a PEM file with {RaftTlsSettings.SectionName}:CertificateKeyPath), " +
                $"or {RaftTlsSettings.SectionName}:Thumbprint or {RaftTlsSettings.SectionName}:Subject in the certificate store");
        }
        try
        {
            // HTTPS alone needs no client authentication (a dev-certs certificate has none).
            var certificate = RaftTls.LoadCertificate(settings, server: true, client: orleans);
            var trust = orleans ? RaftTls.DescribeTrust(settings) : "";
            return new SiloTls(settings, certificate, orleans, https, trust);
        }
        catch (RaftTlsException ex)
        {
            throw new SiloConfigurationException($"{RaftTlsSettings.SectionName}: {ex.Message}");
        }
    }

    /// <summary>Mutual TLS between silos and from clients to the gateway, in every clustering mode.</summary>
    public void Apply(ISiloBuilder orleans)
    {
        if (!Orleans) return;
        orleans.UseTls(options => RaftTls.Configure(options, Settings, Certificate!));
    }

    /// <summary>Says at start what is encrypted, and warns of what an operator should know.</summary>
    public void Log(ILogger logger, IPAddress? advertised)
    {
        if (Certificate is { } certificate)
        {
            logger.TlsConfiguration(
                Orleans ? "TLS, mutual" : "plaintext", Https ? "HTTPS only" : "plain HTTP",
                certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime(), Orleans ? Trust : "-",
                Orleans ? Settings.TargetHost ?? "the IP address connected to" : "-");
            var left = certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;
            if (left < ExpiryWarning) logger.TlsCertificateExpiresSoon(certificate.Subject, certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
        }
        if (Orleans && Settings.AllowUntrustedCertificates) logger.TlsAcceptsAnyCertificate();
        if (!Orleans && advertised is not null && !IPAddress.IsLoopback(advertised)) logger.TlsOffOnNetwork($"{advertised}");
    }
}
