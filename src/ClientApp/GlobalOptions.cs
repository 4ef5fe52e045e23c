using System.CommandLine;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp;

/// <summary>The options every verb accepts, before or after the verb.</summary>
public static class GlobalOptions
{
    public static readonly Option<GatewayList> Gateway = new("--gateway")
    {
        Description = "The silo gateway to connect to (HOST:PORT; the gateway port, not the HTTP port), or several, comma-separated: any one that answers",
        HelpName = "HOST:PORT[,HOST:PORT...]",
        Recursive = true,
        DefaultValueFactory = _ => GatewayList.Default,
        CustomParser = r =>
        {
            if (GatewayList.TryParse(r.Tokens.Single().Value, out var list, out var bad)) return list;
            r.AddError($"--gateway wants HOST:PORT, got '{bad}'");
            return GatewayList.Default;
        },
    };

    public static readonly Option<string?> Group = new("--group")
    {
        Description = "The Raft group (default: the store, 'default'); on a store of several groups, membership and fault commands need one",
        HelpName = "NAME",
        Recursive = true,
        Validators = { r => NameValidator.Check(r, "group") },
    };

    public static readonly Option<string?> Via = new("--via")
    {
        Description = "Send a key request through this replica, which forwards it to the leader",
        HelpName = "REPLICA",
        Recursive = true,
        Validators = { r => NameValidator.Check(r, "replica") },
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Log the Orleans client to stderr",
        Recursive = true,
    };

    public static readonly Option<bool> Tls = new("--tls")
    {
        Description = "Connect over TLS (implied by any --tls-* option); the silo requires a client certificate, --tls-certificate",
        Recursive = true,
    };

    public static readonly Option<string?> TlsCertificate = new("--tls-certificate")
    {
        Description = "This client's certificate: a .pfx/.p12 file, or a PEM file (its key in it or at --tls-key)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> TlsKey = new("--tls-key")
    {
        Description = "The PEM private key of a PEM --tls-certificate",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> TlsPassword = new("--tls-password")
    {
        Description = $"The .pfx password or the encrypted PEM key's (better: the environment variable {TlsPasswordVariable})",
        HelpName = "PASSWORD",
        Recursive = true,
    };

    public static readonly Option<string?> TlsCa = new("--tls-ca")
    {
        Description = "PEM certificates of the authorities the silo's certificate must chain to (default: the system's)",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string?> TlsServerName = new("--tls-server-name")
    {
        Description = "The name the silo's certificate must carry (default: the gateway's IP address)",
        HelpName = "NAME",
        Recursive = true,
    };

    public static readonly Option<bool> TlsInsecure = new("--tls-insecure")
    {
        Description = "Accept any silo certificate: encrypted, but not authenticated (development only)",
        Recursive = true,
    };

    /// <summary>Read when --tls-password is not given, so the password is not in the process list.</summary>
    public const string TlsPasswordVariable = "ORLEANS_RAFT_TLS_PASSWORD";

    /// <summary>The TLS settings the command line asks for, or null for plaintext.</summary>
    public static RaftTlsSettings? TlsSettings(ParseResult result)
    {
        var settings = new RaftTlsSettings
        {
            CertificatePath = result.GetValue(TlsCertificate),
            CertificateKeyPath = result.GetValue(TlsKey),
            CertificatePassword = result.GetValue(TlsPassword) ?? Environment.GetEnvironmentVariable(TlsPasswordVariable),
            CaCertificatePath = result.GetValue(TlsCa),
            TargetHost = result.GetValue(TlsServerName),
            AllowUntrustedCertificates = result.GetValue(TlsInsecure),
        };
        var asked = result.GetValue(Tls) || settings.HasCertificateSource || settings.CertificateKeyPath is not null
            || settings.CaCertificatePath is not null || settings.TargetHost is not null || settings.AllowUntrustedCertificates;
        if (!asked) return null;
        settings.Enabled = true;
        return settings;
    }

    public static string GroupName(ParseResult result) => result.GetValue(Group) ?? "default";
}
