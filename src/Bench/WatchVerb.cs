using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>'watch': how many events per second watchers of a prefix keep up with, and how long after a put's acknowledgement its event arrives.</summary>
public sealed class WatchVerb : IVerb
{
    public int Order => 45;

    public Command Create(ClientContext context)
    {
        var seconds = Numbers.Option("--seconds", "How long each cell writes", 10, 1, 3600, "s");
        var writers = IntListOption.Create("--writers", "Concurrent closed-loop writing clients per cell", [16, 64], 1, 4096);
        var watchers = IntListOption.Create("--watchers", "Watchers of the prefix per cell, each its own stream", [1, 16], 1, 1024);
        var command = new Command("watch",
            "Start an in-process silo with a 3-replica group on SQLite, write keys under a prefix from closed-loop clients, and watch the prefix: " +
            "events per second each watcher received, the delay from a put's acknowledgement to its event, and any change a watcher missed")
        {
            seconds,
            writers,
            watchers,
        };
        command.SetAction((r, cancellation) => WatchBenchmark.RunAsync(
            TimeSpan.FromSeconds(r.GetValue(seconds)), r.GetValue(writers)!, r.GetValue(watchers)!, r.GetValue(GlobalOptions.Verbose), context.IO.Out, cancellation));
        return command;
    }
}
