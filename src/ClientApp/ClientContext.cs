using System.CommandLine;
using System.Net.Sockets;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp;

/// <summary>What a verb needs: where to write, and connect-and-report, written once for every verb.</summary>
public sealed class ClientContext(ClientIO io, IClusterConnector connector)
{
    public ClientIO IO => io;

    /// <summary>Connects to a gateway, runs the action, and turns a lost silo or a refused request into one error line.</summary>
    public async Task<int> RunAsync(ParseResult result, Func<IClusterClient, Task<int>> action)
    {
        var gateways = result.GetValue(GlobalOptions.Gateway) ?? GatewayList.Default;
        var tls = GlobalOptions.TlsSettings(result);
        if (tls is not null && CheckTls(tls) is { } problem)
        {
            await io.Error.WriteLineAsync($"error: {problem}");
            return ExitCodes.Usage;
        }
        ConnectedClient connected;
        try
        {
            connected = await connector.ConnectAsync(gateways, result.GetValue(GlobalOptions.Verbose), tls);
        }
        catch (WrongPortException ex)
        {
            await io.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (Exception ex)
        {
            // A TLS mismatch (one side plaintext, an untrusted certificate) looks like a gateway that never answers.
            var hint = ex is SocketException ? ""
                : tls is null ? " (a silo with TLS on answers only clients with --tls-certificate)"
                : " (over TLS: check that the silo has TLS on and that each side trusts the other's certificate)";
            await io.Error.WriteLineAsync($"error: cannot reach a silo at {gateways}: {ClusterConnection.Describe(ex)}{hint}");
            return ExitCodes.Unreachable;
        }

        await using (connected)
        {
            try
            {
                return await action(connected.Client);
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or SocketException or TimeoutException)
            {
                await io.Error.WriteLineAsync($"error: lost the silo at {gateways}: {ClusterConnection.Describe(ex)}");
                return ExitCodes.Unreachable;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // The cluster refused the request: an unknown or stopped replica, a bad fault. Its message says why.
                await io.Error.WriteLineAsync($"error: {OneLine(ex.Message)}");
                return ExitCodes.RequestFailed;
            }
        }
    }

    /// <summary>Loads the certificate and the trust settings once before connecting: a bad file is a usage error, not an unreachable silo.</summary>
    private static string? CheckTls(RaftTlsSettings tls)
    {
        if (!tls.HasCertificateSource) return "--tls needs --tls-certificate: the silos require a client certificate";
        try
        {
            using var certificate = RaftTls.LoadCertificate(tls, server: false);
            RaftTls.DescribeTrust(tls);
            return null;
        }
        catch (RaftTlsException ex)
        {
            // The settings' names, as this command line spells them.
            return ex.Message
                .Replace("CaCertificatePath", "--tls-ca", StringComparison.Ordinal)
                .Replace("CertificateKeyPath", "--tls-key", StringComparison.Ordinal)
                .Replace("CertificatePath", "--tls-certificate", StringComparison.Ordinal)
                .Replace("CertificatePassword", "--tls-password", StringComparison.Ordinal)
                .Replace("AllowUntrustedCertificates", "--tls-insecure", StringComparison.Ordinal);
        }
    }

    public static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
