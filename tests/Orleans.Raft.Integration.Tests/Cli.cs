using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Runs the client's command line in this process, on a given cluster client, and captures its output.</summary>
internal static class Cli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(IClusterConnector connector, string[] args, string? stdin = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ClientCli.InvokeAsync(args, ClientIO.ForTest(stdout, stderr, stdin), connector);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static Task<(int Code, string Out, string Err)> RunAsync(IClusterClient client, string[] args, string? stdin = null) =>
        RunAsync(new Borrowed(client), args, stdin);

    /// <summary>For commands that must not reach a cluster at all: usage errors and help.</summary>
    public static Task<(int Code, string Out, string Err)> RunOfflineAsync(params string[] args) => RunAsync(new Unreachable(), args);

    private sealed class Borrowed(IClusterClient client) : IClusterConnector
    {
        public Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose) => Task.FromResult(ConnectedClient.Borrowed(client));
    }

    private sealed class Unreachable : IClusterConnector
    {
        public Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose) => throw new InvalidOperationException("this command must not connect");
    }
}
