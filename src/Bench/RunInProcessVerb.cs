using System.CommandLine;
using Orleans.Raft.ClientApp;
using Orleans.Raft.ClientApp.Scripts;

namespace Orleans.Raft.Bench;

/// <summary>'run FILE': a script against a one-silo cluster started in this process, which starts no other group.</summary>
public sealed class RunInProcessVerb : IVerb
{
    public int Order => 10;

    public Command Create(ClientContext context)
    {
        var file = ScriptFile.Path();
        var tick = ScriptFile.TickMs();
        var timeout = Numbers.Option("--request-timeout-ms", "How long a set or get may take before it fails", 5000, 10, 20_000, "ms");
        var command = new Command("run", "Run a scenario script against a cluster started in this process") { file, tick, timeout };
        command.SetAction(async r =>
        {
            if (ScriptFile.Load(r.GetValue(file)!, context.IO) is not { } script) return ExitCodes.Usage;
            return await RunAsync(script, TimeSpan.FromMilliseconds(r.GetValue(tick)), TimeSpan.FromMilliseconds(r.GetValue(timeout)), context.IO.Out, r.GetValue(GlobalOptions.Verbose));
        });
        return command;
    }

    /// <param name="inspect">Called with the cluster's client after the script, before the cluster stops; for tests.</param>
    public static async Task<int> RunAsync(Script script, TimeSpan tick, TimeSpan requestTimeout, TextWriter output, bool verbose = false, Func<IClusterClient, Task>? inspect = null)
    {
        await using var cluster = await InProcessCluster.StartAsync(o =>
        {
            o.RequestTimeout = requestTimeout;
            // The script makes its own group; the silo's default group would only add traffic and log lines.
            o.StartReplicas = false;
        }, verbose);
        var code = await ScriptFile.RunAsync(cluster.Client, script, tick, group: null, output);
        if (inspect is not null) await inspect(cluster.Client);
        return code;
    }
}
