using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class DropVerb : IVerb
{
    public int Order => 140;

    public Command Create(ClientContext context)
    {
        var rate = Numbers.Argument("RATE", "The probability of losing each message between replicas", 0, 1);
        var command = new Command("drop", "Lose each message between replicas with probability RATE") { rate };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.SetDropRate(group, r.GetValue(rate));
            return $"drop rate set to {Numbers.Format(r.GetValue(rate))}";
        }));
        return command;
    }
}
