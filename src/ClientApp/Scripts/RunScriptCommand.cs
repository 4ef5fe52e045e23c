using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Raft.ClientApp.Scripts;

/// <summary>The client's 'run FILE' command.</summary>
public static class RunScriptCommand
{
    public static async Task<int> RunAsync(CommandLine cmd, TextWriter stdout, TextWriter stderr)
    {
        Script script;
        TimeSpan tick, requestTimeout;
        try
        {
            tick = TimeSpan.FromMilliseconds(Milliseconds(cmd, "tick-ms", 100));
            requestTimeout = TimeSpan.FromMilliseconds(Milliseconds(cmd, "request-timeout-ms", 5000));
            if (!File.Exists(cmd.Arguments[0])) throw new UsageException($"no such script: {cmd.Arguments[0]}");
            script = ScriptParser.ParseFile(cmd.Arguments[0]);
        }
        catch (ScriptSyntaxException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.Usage;
        }

        if (cmd.Flags.ContainsKey("in-process"))
        {
            await using var cluster = await InProcessCluster.StartAsync(o => o.RequestTimeout = requestTimeout, cmd.Verbose);
            return await RunOnAsync(cluster.Client, script, tick, cmd.Group, stdout);
        }
        if (cmd.Flags.ContainsKey("request-timeout-ms"))
        {
            stderr.WriteLine("error: --request-timeout-ms applies only with --in-process; a running cluster uses its Raft:RequestTimeout");
            return ExitCodes.Usage;
        }

        Microsoft.Extensions.Hosting.IHost host;
        try
        {
            host = await ClusterConnection.ConnectAsync(cmd.GatewayHost, cmd.GatewayPort, cmd.Verbose);
        }
        catch (Exception ex)
        {
            stderr.WriteLine($"error: cannot reach a silo at {cmd.GatewayHost}:{cmd.GatewayPort}: {ClusterConnection.Describe(ex)}");
            return ExitCodes.Unreachable;
        }
        using (host)
        {
            return await RunOnAsync(host.Services.GetRequiredService<IClusterClient>(), script, tick, cmd.Group, stdout);
        }
    }

    public static async Task<int> RunOnAsync(IClusterClient client, Script script, TimeSpan tick, string? group, TextWriter stdout)
    {
        var runner = new ScriptRunner(client, stdout, tick, group);
        return await runner.RunAsync(script) ? ExitCodes.Ok : ExitCodes.RequestFailed;
    }

    private static double Milliseconds(CommandLine cmd, string flag, double fallback)
    {
        if (!cmd.Flags.TryGetValue(flag, out var text)) return fallback;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 1 && ms <= 600_000
            ? ms
            : throw new UsageException($"--{flag} wants milliseconds from 1 to 600000, got '{text}'");
    }
}
