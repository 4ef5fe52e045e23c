using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class StartVerb : IVerb
{
    public int Order => 170;

    public Command Create(ClientContext context)
    {
        var replica = FaultRequests.Names("REPLICA", "The replica to start");
        var command = new Command("start", "Start a stopped REPLICA again from its stable storage") { replica };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.StartReplica(group, r.GetValue(replica)!, []);
            return $"replica {r.GetValue(replica)} started";
        }));
        return command;
    }
}
