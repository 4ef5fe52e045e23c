using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>
/// 'bench cluster', 'bench etcd' and 'bench compare': the benchmark against separate processes, Orleans.Raft's and
/// etcd's, with the same cells, and the two reports side by side. Run is what a parsed command does; tests pass their own.
/// </summary>
internal static class ClusterBenchCommands
{
    public delegate Task<int> Run(ClusterBenchSettings settings, CancellationToken cancellation);

    public static Command Cluster(ClientContext context, Run? run = null)
    {
        var gateway = new Option<string?>("--gateway")
        {
            Description = "Measure a cluster already running: its silo gateways, HOST:PORT[,HOST:PORT...] (without it, the benchmark starts three nodes of its own and disposes them at the end)",
            HelpName = "HOST:PORT[,HOST:PORT...]",
            CustomParser = r =>
            {
                if (GatewayList.TryParse(r.Tokens.Single().Value, out var list, out var bad)) return list.ToString();
                r.AddError($"--gateway wants HOST:PORT, got '{bad}'");
                return null;
            },
        };
        var modes = ReadModeListOption.Create("--read-modes", "Its own nodes only: a cluster per Raft:ReadMode, the first measured in full, the others for gets", ["ReadIndex"]);
        var shared = new SharedOptions();
        var command = new Command("cluster",
            "Throughput and latency of set, get (linearizable and serializable) and compare-and-set at each client count against separate silo processes, " +
            "the elections during steady load, and the failover after kill -9 of the leader's node; prints tables and saves JSON")
        {
            gateway,
            modes,
        };
        shared.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetResult(gateway) is not null && r.GetResult(modes) is { Implicit: false })
                r.AddError("--read-modes starts a cluster per mode: it applies only without --gateway, whose cluster serves gets as it is configured");
        });
        command.SetAction((r, cancellation) =>
        {
            var settings = shared.Read(r, r.GetValue(modes)!, r.GetValue(gateway));
            return (run ?? ((s, c) => ClusterBenchmark.RunAsync(s, context.IO, c)))(settings, cancellation);
        });
        return command;
    }

    public static Command Etcd(ClientContext context, Run? run = null)
    {
        var shared = new SharedOptions();
        var command = new Command("etcd",
            $"The same measurements against three etcd 3.4 members it starts as separate processes (fsync on, default settings), through their JSON gRPC gateway; " +
            $"install etcd with {EtcdCluster.InstallScript}");
        shared.AddTo(command);
        command.SetAction((r, cancellation) =>
        {
            var settings = shared.Read(r, ["ReadIndex"], null);
            return (run ?? ((s, c) => EtcdBenchmark.RunAsync(s, context.IO, c)))(settings, cancellation);
        });
        return command;
    }

    public static Command Compare(ClientContext context)
    {
        var ours = new Argument<FileInfo>("ORLEANS.json") { Description = "A report of 'bench cluster'" };
        var theirs = new Argument<FileInfo>("ETCD.json") { Description = "A report of 'bench etcd'" };
        ours.AcceptExistingOnly();
        theirs.AcceptExistingOnly();
        var command = new Command("compare", "Put a 'bench cluster' report and a 'bench etcd' report side by side, with issue 14's targets, as markdown") { ours, theirs };
        command.SetAction(async r =>
        {
            var a = ClusterBenchReport.FromJson(await File.ReadAllTextAsync(r.GetValue(ours)!.FullName));
            var b = ClusterBenchReport.FromJson(await File.ReadAllTextAsync(r.GetValue(theirs)!.FullName));
            await context.IO.Out.WriteAsync(BenchComparison.Markdown(a, b));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The options both systems' runs take, so their cells are the same.</summary>
    private sealed class SharedOptions
    {
        private readonly Option<int[]> _clients = IntListOption.Create("--clients", "Closed-loop clients per cell", [1, 16, 64, 256], 1, 4096);
        private readonly Option<double> _seconds = Numbers.Option("--seconds", "How long each cell runs", 10, 0.1, 3600, "s");
        private readonly Option<double> _warmup = Numbers.Option("--warmup", "How long each cluster runs sets at 64 clients before the first cell; each workload then runs 2 s at up to 16 clients", 20, 0, 3600, "s");
        private readonly Option<double> _steady = Numbers.Option("--steady-seconds", "How long the sets at 64 clients run while the elections are counted; 0 skips it", 60, 0, 3600, "s");
        private readonly Option<double> _trials = Numbers.Option("--failover-trials", "How many times to kill -9 the leader's node; 0 skips it", 10, 0, 1000, "trials");
        private readonly Option<string?> _json = new("--json")
        {
            Description = "Where to save the report as JSON (default: bench-cluster-UTC.json or bench-etcd-UTC.json in the current directory)",
            HelpName = "FILE",
        };

        public void AddTo(Command command)
        {
            command.Add(_clients);
            command.Add(_seconds);
            command.Add(_warmup);
            command.Add(_steady);
            command.Add(_trials);
            command.Add(_json);
        }

        public ClusterBenchSettings Read(ParseResult r, string[] readModes, string? gateways) =>
            new(r.GetValue(_clients)!, r.GetValue(_seconds), r.GetValue(_warmup), r.GetValue(_steady), SteadyClients, (int)r.GetValue(_trials), readModes, gateways)
            {
                JsonPath = r.GetValue(_json),
                Verbose = r.GetValue(GlobalOptions.Verbose),
            };

        private const int SteadyClients = 64;
    }
}
