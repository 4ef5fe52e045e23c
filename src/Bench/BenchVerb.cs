using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>
/// 'bench': the in-process matrix (a 3-replica group in memory and on SQLite against an unreplicated grain); its
/// subcommands measure separate processes: 'cluster' (Orleans.Raft's nodes), 'etcd', and 'compare' of their reports.
/// </summary>
public sealed class BenchVerb : IVerb
{
    public int Order => 20;

    public Command Create(ClientContext context)
    {
        var seconds = Numbers.Option("--seconds", "How long each cell runs", 3, 0.1, 3600, "s");
        var clients = IntListOption.Create("--clients", "Concurrent clients per cell", [1, 16, 64], 1, 4096);
        var command = new Command("bench", "Throughput and latency of a 3-replica group (in-memory and SQLite) against an unreplicated grain, in this process; " +
            "'bench cluster' and 'bench etcd' measure separate processes")
        {
            seconds,
            clients,
            ClusterBenchCommands.Cluster(context),
            ClusterBenchCommands.Etcd(context),
            ClusterBenchCommands.Compare(context),
        };
        command.SetAction(r => Benchmark.RunAsync(r.GetValue(seconds), r.GetValue(clients)!, r.GetValue(GlobalOptions.Verbose), context.IO.Out));
        return command;
    }
}
