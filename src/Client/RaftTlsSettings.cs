using System.Security.Cryptography.X509Certificates;

namespace Orleans.Raft.Client;

/// <summary>
/// TLS for Orleans connections: this process's certificate (a file, or the certificate store) and how a peer's
/// certificate is checked. The silo binds it from the "Tls" section; clients fill it in (the CLI from --tls-*).
/// </summary>
public sealed class RaftTlsSettings
{
    /// <summary>The silo's configuration section.</summary>
    public const string SectionName = "Tls";

    /// <summary>Unset: on when a certificate is configured (a path, a thumbprint or a subject).</summary>
    public bool? Enabled { get; set; }

    /// <summary>A PKCS#12 file (.pfx, .p12) or a PEM certificate; with a PEM file the key is in it or at <see cref="CertificateKeyPath"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>, when it is a file of its own.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 file's password, or the encrypted PEM key's.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The certificate store's certificate with this thumbprint (instead of a file).</summary>
    public string? Thumbprint { get; set; }

    /// <summary>The newest certificate of the store whose subject contains this name (instead of a file).</summary>
    public string? Subject { get; set; }

    /// <summary>The store <see cref="Thumbprint"/> or <see cref="Subject"/> is looked up in.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    /// <summary>The store location <see cref="Thumbprint"/> or <see cref="Subject"/> is looked up in.</summary>
    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// PEM certificates of the authorities a peer's certificate must chain to, instead of the system's trusted roots.
    /// A self-signed certificate may be its own authority.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Comma-separated thumbprints: a peer is accepted if and only if its certificate is one of them (pinning).</summary>
    public string? AllowedThumbprints { get; set; }

    /// <summary>Accept any certificate a peer presents: encryption without authentication, for development only.</summary>
    public bool AllowUntrustedCertificates { get; set; }

    /// <summary>
    /// The name the connecting side checks the other's certificate against (silo to silo, client to gateway).
    /// Unset: the IP address connected to, which the certificate must then carry as an IP subject alternative name.
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>Whether TLS is on: <see cref="Enabled"/>, or by default whether a certificate is configured.</summary>
    public bool IsEnabled => Enabled ?? HasCertificateSource;

    /// <summary>Whether a certificate file or a certificate in the store is configured.</summary>
    public bool HasCertificateSource =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(Thumbprint) || !string.IsNullOrWhiteSpace(Subject);
}
