using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Orleans.Raft.Client;

/// <summary>
/// Mutual TLS for Orleans connections with <see cref="RaftTlsSettings"/>: loads and checks the certificate, and sets
/// up Orleans' <see cref="TlsOptions"/> so that each side presents its certificate and requires the other's.
/// </summary>
public static class RaftTls
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// A client of the silos' gateways over TLS: loads the certificate now, so a bad setting throws
    /// <see cref="RaftTlsException"/> here and not at the first connection.
    /// </summary>
    public static IClientBuilder UseRaftTls(this IClientBuilder client, RaftTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        var certificate = LoadCertificate(settings, server: false);
        var check = CreateCheck(settings, TimeProvider.System);
        return client.UseTls(options => Configure(options, settings, certificate, check));
    }

    /// <summary>
    /// Sets <paramref name="options"/> for mutual TLS: <paramref name="certificate"/> presented on both sides of a
    /// connection, the peer's required and checked as <paramref name="settings"/> say, and the connecting side's
    /// target host (<see cref="RaftTlsSettings.TargetHost"/>, or the IP address connected to).
    /// </summary>
    public static void Configure(TlsOptions options, RaftTlsSettings settings, X509Certificate2 certificate, TimeProvider? time = null) =>
        Configure(options, settings, certificate, CreateCheck(settings, time ?? TimeProvider.System));

    /// <summary>Which peer certificates <paramref name="settings"/> accept, in words, for the log.</summary>
    public static string DescribeTrust(RaftTlsSettings settings) => CreateCheck(settings, TimeProvider.System).Describe();

    /// <summary>
    /// Loads the certificate from its file or store and checks that it can be used: a private key, within its dates,
    /// allowed for client authentication when <paramref name="client"/> (mutual TLS: every side presents it) and, for a
    /// <paramref name="server"/>, for server authentication. Throws <see cref="RaftTlsException"/> saying what is wrong.
    /// </summary>
    public static X509Certificate2 LoadCertificate(RaftTlsSettings settings, bool server, bool client = true, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hasFile = !string.IsNullOrWhiteSpace(settings.CertificatePath);
        var hasStore = !string.IsNullOrWhiteSpace(settings.Thumbprint) || !string.IsNullOrWhiteSpace(settings.Subject);
        if (hasFile && hasStore)
            throw new RaftTlsException("a certificate file (CertificatePath) and a certificate in the store (Thumbprint or Subject) are both set: choose one");
        if (!hasFile && !hasStore)
            throw new RaftTlsException("no certificate is set: a file (CertificatePath) or a certificate in the store (Thumbprint or Subject)");
        if (!hasFile && !string.IsNullOrWhiteSpace(settings.CertificateKeyPath))
            throw new RaftTlsException("CertificateKeyPath is set without CertificatePath");

        var certificate = hasFile ? LoadFile(settings) : LoadFromStore(settings);
        try
        {
            Check(certificate, server, client, time ?? TimeProvider.System);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
        return certificate;
    }

    private static void Configure(TlsOptions options, RaftTlsSettings settings, X509Certificate2 certificate, PeerCertificateCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = certificate;
        // Mutual: a silo (or a client) presents its certificate when it connects, and a silo requires one.
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = check.Validate;
        var targetHost = string.IsNullOrWhiteSpace(settings.TargetHost) ? null : settings.TargetHost.Trim();
        options.OnAuthenticateAsClient = (connection, ssl) =>
        {
            // Without a target host .NET reports every certificate's name as a mismatch; Orleans connects to IP addresses.
            ssl.TargetHost = targetHost ?? (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "";
        };
    }

    private static PeerCertificateCheck CreateCheck(RaftTlsSettings settings, TimeProvider time)
    {
        var pinned = ParseThumbprints(settings.AllowedThumbprints);
        var hasAuthorities = !string.IsNullOrWhiteSpace(settings.CaCertificatePath);
        var ways = (settings.AllowUntrustedCertificates ? 1 : 0) + (pinned is null ? 0 : 1) + (hasAuthorities ? 1 : 0);
        if (ways > 1)
            throw new RaftTlsException("AllowUntrustedCertificates, AllowedThumbprints and CaCertificatePath each say how a peer is checked: set one of them at most");
        if (settings.AllowUntrustedCertificates) return new PeerCertificateCheck(true, null, null, time);
        if (pinned is not null) return new PeerCertificateCheck(false, pinned, null, time);
        if (!hasAuthorities) return new PeerCertificateCheck(false, null, null, time);

        var path = settings.CaCertificatePath!;
        if (!File.Exists(path)) throw new RaftTlsException($"the CA certificate file '{path}' (CaCertificatePath) does not exist");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new RaftTlsException($"cannot read the CA certificates in '{path}' (CaCertificatePath): {ex.Message}", ex);
        }
        if (authorities.Count == 0)
            throw new RaftTlsException($"'{path}' (CaCertificatePath) holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return new PeerCertificateCheck(false, null, authorities, time);
    }

    private static HashSet<string>? ParseThumbprints(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var thumbprint = part.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            if (thumbprint.Length != 40 || !thumbprint.All(char.IsAsciiHexDigit))
                throw new RaftTlsException($"'{part}' in AllowedThumbprints is not a SHA-1 thumbprint (40 hexadecimal digits)");
            set.Add(thumbprint);
        }
        return set;
    }

    private static X509Certificate2 LoadFile(RaftTlsSettings settings)
    {
        var path = settings.CertificatePath!;
        if (!File.Exists(path)) throw new RaftTlsException($"the certificate file '{path}' (CertificatePath) does not exist");
        var keyPath = string.IsNullOrWhiteSpace(settings.CertificateKeyPath) ? null : settings.CertificateKeyPath;
        if (keyPath is not null && !File.Exists(keyPath)) throw new RaftTlsException($"the key file '{keyPath}' (CertificateKeyPath) does not exist");
        var pem = keyPath is not null || LooksLikePem(path);
        try
        {
            if (!pem) return X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword);
            var certificate = string.IsNullOrEmpty(settings.CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, settings.CertificatePassword, keyPath);
            if (!OperatingSystem.IsWindows()) return certificate;
            // SslStream on Windows cannot use a PEM key held only in memory.
            using (certificate) return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex) when (!pem)
        {
            throw new RaftTlsException($"cannot open the certificate '{path}' as PKCS#12: wrong CertificatePassword, or not a .pfx/.p12 file ({ex.Message})", ex);
        }
        catch (CryptographicException ex)
        {
            throw new RaftTlsException(
                $"cannot open the PEM certificate '{path}'{(keyPath is null ? "" : $" with the key '{keyPath}'")}: {ex.Message} " +
                "(the key must be in the file or at CertificateKeyPath, and an encrypted key needs CertificatePassword)", ex);
        }
        catch (ArgumentException ex)
        {
            throw new RaftTlsException($"cannot open the PEM certificate '{path}': {ex.Message}", ex);
        }
    }

    private static bool LooksLikePem(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[64];
        var n = file.Read(head);
        return System.Text.Encoding.ASCII.GetString(head, 0, n).Contains("-----BEGIN", StringComparison.Ordinal);
    }

    private static X509Certificate2 LoadFromStore(RaftTlsSettings settings)
    {
        var where = $"{settings.StoreLocation}/{settings.StoreName}";
        using var store = new X509Store(settings.StoreName, settings.StoreLocation);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        }
        catch (CryptographicException ex)
        {
            throw new RaftTlsException($"cannot open the certificate store {where}: {ex.Message}", ex);
        }
        var found = string.IsNullOrWhiteSpace(settings.Thumbprint)
            ? store.Certificates.Find(X509FindType.FindBySubjectName, settings.Subject!.Trim(), validOnly: false)
            : store.Certificates.Find(X509FindType.FindByThumbprint, settings.Thumbprint.Replace(":", "", StringComparison.Ordinal).Trim(), validOnly: false);
        var what = string.IsNullOrWhiteSpace(settings.Thumbprint) ? $"subject '{settings.Subject}'" : $"thumbprint {settings.Thumbprint}";
        if (found.Count == 0) throw new RaftTlsException($"no certificate with the {what} in the store {where}");
        // The newest of those with a private key; a certificate without one is reported as such by Check.
        var best = found.OrderByDescending(c => c.HasPrivateKey).ThenByDescending(c => c.NotAfter).First();
        foreach (var other in found)
        {
            if (!ReferenceEquals(other, best)) other.Dispose();
        }
        return best;
    }

    private static void Check(X509Certificate2 certificate, bool server, bool client, TimeProvider time)
    {
        var name = $"the certificate {certificate.Subject} ({certificate.Thumbprint})";
        if (!certificate.HasPrivateKey) throw new RaftTlsException($"{name} has no private key");
        var now = time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now)
            throw new RaftTlsException($"{name} expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z");
        if (certificate.NotBefore.ToUniversalTime() > now)
            throw new RaftTlsException($"{name} is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z");
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is null) return;
        var purposes = usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
        if (client && !purposes.Contains(ClientAuthentication))
            throw new RaftTlsException($"{name} is not allowed for client authentication (extended key usage {ClientAuthentication}), which mutual TLS needs");
        if (server && !purposes.Contains(ServerAuthentication))
            throw new RaftTlsException($"{name} is not allowed for server authentication (extended key usage {ServerAuthentication})");
    }
}
