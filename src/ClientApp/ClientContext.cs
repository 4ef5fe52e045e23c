using System.CommandLine;
using System.Net.Sockets;

namespace Orleans.Raft.ClientApp;

/// <summary>What a verb needs: where to write, and connect-and-report, written once for every verb.</summary>
public sealed class ClientContext(ClientIO io, IClusterConnector connector)
{
    public ClientIO IO => io;

    /// <summary>Connects to a gateway, runs the action, and turns a lost silo or a refused request into one error line.</summary>
    public async Task<int> RunAsync(ParseResult result, Func<IClusterClient, Task<int>> action)
    {
        var gateways = result.GetValue(GlobalOptions.Gateway) ?? GatewayList.Default;
        ConnectedClient connected;
        try
        {
            connected = await connector.ConnectAsync(gateways, result.GetValue(GlobalOptions.Verbose));
        }
        catch (WrongPortException ex)
        {
            await io.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (Exception ex)
        {
            await io.Error.WriteLineAsync($"error: cannot reach a silo at {gateways}: {ClusterConnection.Describe(ex)}");
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

    public static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
