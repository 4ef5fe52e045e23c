using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class DelayVerb : IVerb
{
    public int Order => 150;

    public Command Create(ClientContext context)
    {
        var min = Numbers.Argument("MIN_MS", "The shortest delay", 0, 60_000, "ms");
        var max = Numbers.Argument("MAX_MS", "The longest delay", 0, 60_000, "ms");
        var command = new Command("delay", "Delay each message between replicas by MIN_MS to MAX_MS (0 0 clears)") { min, max };
        command.Validators.Add(r =>
        {
            if (r.GetValue(min) > r.GetValue(max))
                r.AddError($"MIN_MS ({Numbers.Format(r.GetValue(min))}) is more than MAX_MS ({Numbers.Format(r.GetValue(max))}): give the shorter delay first");
        });
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.SetDelay(group, TimeSpan.FromMilliseconds(r.GetValue(min)), TimeSpan.FromMilliseconds(r.GetValue(max)));
            return r.GetValue(max) == 0 ? "delay cleared" : $"delay set to {Numbers.Format(r.GetValue(min))}-{Numbers.Format(r.GetValue(max))} ms";
        }));
        return command;
    }
}
