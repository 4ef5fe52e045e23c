using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class FaultsVerb : IVerb
{
    public int Order => 180;

    public Command Create(ClientContext context)
    {
        var command = new Command("faults", "Print the group's faults");
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) => FaultRequests.Describe(await faults.GetFaults(group))));
        return command;
    }
}
