using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class HealVerb : IVerb
{
    public int Order => 130;

    public Command Create(ClientContext context)
    {
        var command = new Command("heal", "Heal every partition and cut link, clear loss and delay (stopped replicas stay stopped)");
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.Heal(group);
            var left = await faults.GetFaults(group);
            return left.Stopped.Length == 0 ? "healed: no faults" : $"healed; still stopped: {string.Join(",", left.Stopped)}";
        }));
        return command;
    }
}
