using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class StopVerb : IVerb
{
    public int Order => 160;

    public Command Create(ClientContext context)
    {
        var replica = FaultRequests.Names("REPLICA", "The replica to crash-stop");
        var command = new Command("stop", "Crash-stop REPLICA: it answers nothing and loses its volatile state") { replica };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.StopReplica(group, r.GetValue(replica)!);
            return $"replica {r.GetValue(replica)} stopped";
        }));
        return command;
    }
}
