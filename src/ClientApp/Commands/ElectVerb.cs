using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>A graceful leadership transfer to REPLICA, as 'leader transfer' (the console's elect button does the same).</summary>
public sealed class ElectVerb : IVerb
{
    public int Order => 60;

    public Command Create(ClientContext context)
    {
        var replica = new Argument<string>("REPLICA") { Description = "The voter that is to lead" };
        replica.Validators.Add(r => NameValidator.Check(r, "replica"));
        var command = new Command("elect", "Make REPLICA the leader by a graceful transfer (as 'leader transfer')") { replica };
        command.SetAction(r => context.RunAsync(r, async client =>
        {
            var name = r.GetValue(replica)!;
            await context.IO.Out.WriteLineAsync(await client.GetGrain<IRaftMembershipGrain>(GlobalOptions.GroupName(r)).TransferLeadership(name));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
