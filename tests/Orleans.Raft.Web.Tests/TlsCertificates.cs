using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// Certificates made for a test in a temporary directory: an authority, and certificates it issues for 127.0.0.1 and
/// localhost, allowed for server and client authentication. Nothing is checked in.
/// </summary>
public sealed class TlsCertificates : IDisposable
{
    public const string Password = "test-password";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly string _directory = Directory.CreateTempSubdirectory("orleans-raft-tls-").FullName;

    public TlsCertificates(string authorityName = "Orleans.Raft test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={authorityName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Authority = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
        AuthorityPath = Path.Combine(_directory, "ca.crt");
        File.WriteAllText(AuthorityPath, Authority.ExportCertificatePem());
    }

    public X509Certificate2 Authority { get; }

    /// <summary>The authority's certificate as PEM: what Tls:CaCertificatePath and --tls-ca take.</summary>
    public string AuthorityPath { get; }

    /// <summary>A certificate for 127.0.0.1 and localhost, issued by <see cref="Authority"/>, in a .pfx with <see cref="Password"/>.</summary>
    public string IssuePfx(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool withKey = true, bool clientAuthentication = true)
    {
        using var certificate = Issue(name, notBefore, notAfter, clientAuthentication);
        var path = Path.Combine(_directory, $"{name}.pfx");
        if (withKey)
        {
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        }
        else
        {
            using var bare = X509CertificateLoader.LoadCertificate(certificate.RawData);
            File.WriteAllBytes(path, bare.Export(X509ContentType.Pkcs12, Password));
        }
        return path;
    }

    /// <summary>The same as <see cref="IssuePfx"/> as a PEM certificate and a PEM key: (certificate path, key path).</summary>
    public (string Certificate, string Key) IssuePem(string name)
    {
        using var certificate = Issue(name, null, null, clientAuthentication: true);
        var certificatePath = Path.Combine(_directory, $"{name}.crt");
        var keyPath = Path.Combine(_directory, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>Accepts a server certificate issued by <see cref="Authority"/>: for HttpClient.</summary>
    public bool IsIssuedByAuthority(X509Certificate2? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private X509Certificate2 Issue(string name, DateTimeOffset? notBefore, DateTimeOffset? notAfter, bool clientAuthentication)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            clientAuthentication ? [ServerAuthentication, ClientAuthentication] : [ServerAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Authority, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(7), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
