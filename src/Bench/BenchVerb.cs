using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

public sealed class BenchVerb : IVerb
{
    public int Order => 20;

    public Command Create(ClientContext context)
    {
        var seconds = Numbers.Option("--seconds", "How long each cell runs", 3, 0.1, 3600, "s");
        var clients = new Option<int[]>("--clients")
        {
            Description = "Concurrent clients per cell, comma-separated (1 to 4096 each)",
            HelpName = "N,N,...",
            DefaultValueFactory = _ => [1, 16, 64],
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                var parts = text.Split(',');
                if (parts.All(p => int.TryParse(p, out var n) && n is > 0 and <= 4096)) return [.. parts.Select(int.Parse)];
                r.AddError($"--clients wants numbers from 1 to 4096, comma-separated, got '{text}'");
                return [];
            },
        };
        var command = new Command("bench", "Throughput and latency of a 3-replica group (in-memory and SQLite) against an unreplicated grain") { seconds, clients };
        command.SetAction(r => Benchmark.RunAsync(r.GetValue(seconds), r.GetValue(clients)!, r.GetValue(GlobalOptions.Verbose), context.IO.Out));
        return command;
    }
}
