using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>'idle': what many idle groups cost each node, with quiescence on and off.</summary>
public sealed class IdleVerb : IVerb
{
    public int Order => 50;

    public Command Create(ClientContext context)
    {
        var groups = Numbers.Option("--groups", "Idle groups of three replicas, one on each node", 1000, 1, 100_000, "groups");
        var seconds = Numbers.Option("--seconds", "How long each measurement window lasts", 30, 1, 3600, "s");
        var warmup = Numbers.Option("--warmup", "How long to wait, once the groups have settled, before a window", 30, 0, 3600, "s");
        var quiesce = new Option<string>("--quiesce")
        {
            Description = "Raft:Quiesce on the nodes: on, off, or both (one cluster each, on first)",
            DefaultValueFactory = _ => "both",
        };
        quiesce.AcceptOnlyFromAmong("on", "off", "both");
        var coalesce = new Option<string>("--coalesce")
        {
            Description = "Raft:CoalesceHeartbeats on the nodes: on or off",
            DefaultValueFactory = _ => "on",
        };
        coalesce.AcceptOnlyFromAmong("on", "off");
        var command = new Command("idle",
            "Start redis-server and three node processes, create idle groups of three replicas (one per node), wait until they are " +
            "quiescent (or elected, with quiescence off), then measure each node's CPU use and Raft messages per second")
        {
            groups,
            seconds,
            warmup,
            quiesce,
            coalesce,
        };
        command.SetAction((r, cancellation) => IdleBenchmark.RunAsync(
            (int)r.GetValue(groups), TimeSpan.FromSeconds(r.GetValue(seconds)), TimeSpan.FromSeconds(r.GetValue(warmup)), r.GetValue(quiesce)!, r.GetValue(coalesce) == "on", r.GetValue(GlobalOptions.Verbose), context.IO, cancellation));
        return command;
    }
}
