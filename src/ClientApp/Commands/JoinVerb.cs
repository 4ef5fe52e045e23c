using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class JoinVerb : IVerb
{
    public int Order => 110;

    public Command Create(ClientContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The partition to heal" };
        name.Validators.Add(r => NameValidator.Check(r, "partition"));
        var command = new Command("join", "Heal partition NAME") { name };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await faults.Join(group, r.GetValue(name)!);
            return $"partition {r.GetValue(name)} healed";
        }));
        return command;
    }
}
