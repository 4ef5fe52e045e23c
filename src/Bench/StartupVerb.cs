using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Orleans.Raft.ClientApp;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// The wall time of a one-shot 'get', process start to exit, against an in-process cluster: what a user waits for.
/// The client's own start-up dominates it.
/// </summary>
public sealed class StartupVerb : IVerb
{
    public int Order => 30;

    public Command Create(ClientContext context)
    {
        var runs = Numbers.Option("--runs", "How many 'get' processes to time", 10, 1, 1000, "runs");
        var client = new Option<string?>("--client")
        {
            Description = "The client to time: an apphost or a .dll (default: the Orleans.Raft.ClientApp built beside this tool)",
            HelpName = "PATH",
        };
        var command = new Command("startup", "Time a one-shot client 'get' process against an in-process cluster") { runs, client };
        command.SetAction(async r =>
        {
            var path = r.GetValue(client) ?? Path.Combine(AppContext.BaseDirectory, "Orleans.Raft.ClientApp.dll");
            if (!File.Exists(path))
            {
                await context.IO.Error.WriteLineAsync($"error: no client at {path}");
                return ExitCodes.Usage;
            }
            await using var cluster = await InProcessCluster.StartAsync(o => o.Replicas = ["r1", "r2", "r3"], r.GetValue(GlobalOptions.Verbose), clusterId: "orleans-raft");
            await cluster.WaitForLeaderAsync("default", TimeSpan.FromSeconds(30));
            await cluster.Client.GetGrain<IKeyValueGatewayGrain>("default").Set("startup", "v");
            var times = new List<double>();
            for (var i = 0; i < (int)r.GetValue(runs); i++)
            {
                var (ms, code, error) = await TimeGetAsync(path, cluster.GatewayPort);
                if (code != 0)
                {
                    await context.IO.Error.WriteLineAsync($"error: the client exited with {code}: {error.Trim()}");
                    return ExitCodes.RequestFailed;
                }
                times.Add(ms);
            }
            times.Sort();
            var table = new Table { Title = new TableTitle($"client 'get', {times.Count} runs, wall ms") };
            foreach (var column in new[] { "client", "min", "median", "max" }) table.AddColumn(column);
            table.AddRow(Path.GetFileName(path), F(times[0]), F(times[times.Count / 2]), F(times[^1]));
            Tables.Console(context.IO.Out).Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(double Ms, int Code, string Error)> TimeGetAsync(string client, int port)
    {
        var dll = client.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(dll ? "dotnet" : client) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (dll) start.ArgumentList.Add(client);
        foreach (var a in new[] { "--gateway", $"127.0.0.1:{port}", "get", "startup" }) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (clock.Elapsed.TotalMilliseconds, process.ExitCode, await error);
    }

    private static string F(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);
}
