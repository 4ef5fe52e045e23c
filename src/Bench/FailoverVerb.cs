using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>'failover': kill -9 of the leader's node of a three-node group, timed to a new leader and to the next write.</summary>
public sealed class FailoverVerb : IVerb
{
    public int Order => 40;

    public Command Create(ClientContext context)
    {
        var trials = Numbers.Option("--trials", "How many times to kill the leader's node", 10, 1, 1000, "trials");
        var json = new Option<bool>("--json") { Description = "Print the trials and the summary as JSON instead of tables" };
        var command = new Command("failover",
            "Start redis-server and three node processes, then kill -9 the leader's node, again and again: the time to a new leader and to the next acknowledged write")
        {
            trials,
            json,
        };
        command.SetAction((r, cancellation) => FailoverBenchmark.RunAsync((int)r.GetValue(trials), r.GetValue(json), r.GetValue(GlobalOptions.Verbose), context.IO, cancellation));
        return command;
    }
}
