using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>'groups': the set throughput of a store of 1, 4 and 16 groups on three nodes, then what idle groups cost.</summary>
public sealed class GroupsVerb : IVerb
{
    public int Order => 45;

    public Command Create(ClientContext context)
    {
        var groups = IntListOption.Create("--groups", "The store's group counts, one cluster each", [1, 4, 16], 1, 256);
        var clients = IntListOption.Create("--clients", "Concurrent clients per cell", [64, 256], 1, 4096);
        var storage = new Option<string>("--storage")
        {
            Description = "Raft:Storage on the nodes: InMemory, Sqlite, or both (default)",
            DefaultValueFactory = _ => "both",
        };
        storage.AcceptOnlyFromAmong("InMemory", "Sqlite", "both");
        var seconds = Numbers.Option("--seconds", "How long each cell runs", 15, 1, 3600, "s");
        var warmup = Numbers.Option("--warmup", "How long each cluster runs at the highest client count before its cells", 20, 0, 3600, "s");
        var idle = Numbers.Option("--idle", "Then run 'idle' with this many idle groups and quiescence on (0: skip it)", 1000, 0, 100_000, "groups");
        var command = new Command("groups",
            "Start redis-server and three node processes for each group count and storage, and measure the store's aggregate set " +
            "throughput and latency through its gateway at each client count; then the CPU use and Raft messages of idle groups")
        {
            groups,
            clients,
            storage,
            seconds,
            warmup,
            idle,
        };
        command.SetAction(async (r, cancellation) =>
        {
            var verbose = r.GetValue(GlobalOptions.Verbose);
            var storages = r.GetValue(storage) is "both" or null ? new[] { "InMemory", "Sqlite" } : [r.GetValue(storage)!];
            var code = await ShardBenchmark.RunAsync(r.GetValue(groups)!, r.GetValue(clients)!, storages,
                TimeSpan.FromSeconds(r.GetValue(seconds)), TimeSpan.FromSeconds(r.GetValue(warmup)), verbose, context.IO, cancellation);
            if (code != ExitCodes.Ok || r.GetValue(idle) == 0) return code;
            return await IdleBenchmark.RunAsync((int)r.GetValue(idle), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), "on", coalesce: true, verbose, context.IO, cancellation);
        });
        return command;
    }
}
