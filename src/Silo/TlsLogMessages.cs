namespace Orleans.Raft.Silo;

/// <summary>TLS's log messages; event ids 1040-1049.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1040, Level = LogLevel.Information,
        Message = "TLS: silo and gateway ports {Orleans}, web port {Web}; certificate {Subject} ({Thumbprint}), valid until {NotAfter:u}; " +
        "peers accepted: {Trust}; their certificates' name checked against {TargetHost}")]
    public static partial void TlsConfiguration(this ILogger logger, string orleans, string web, string subject, string thumbprint, DateTime notAfter, string trust, string targetHost);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Warning,
        Message = "TLS: Tls:AllowUntrustedCertificates is on: traffic is encrypted, but any silo or client with any certificate may join or connect. For development only")]
    public static partial void TlsAcceptsAnyCertificate(this ILogger logger);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Warning,
        Message = "TLS: the certificate {Subject} ({Thumbprint}) expires on {NotAfter:u}; after that the peers refuse it and the silo does not start")]
    public static partial void TlsCertificateExpiresSoon(this ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 1043, Level = LogLevel.Warning,
        Message = "TLS is off: the silo and gateway ports at {Address} carry the cluster's data in plaintext, with no authentication. See the README's Operations: TLS")]
    public static partial void TlsOffOnNetwork(this ILogger logger, string address);
}
