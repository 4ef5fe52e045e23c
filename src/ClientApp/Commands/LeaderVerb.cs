using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'leader transfer REPLICA': the leader brings REPLICA up to date and tells it to campaign (TimeoutNow).</summary>
public sealed class LeaderVerb : IVerb
{
    public int Order => 64;

    public Command Create(ClientContext context)
    {
        var replica = new Argument<string>("REPLICA") { Description = "The voter that is to lead" };
        replica.Validators.Add(r => NameValidator.Check(r, "replica"));
        var transfer = new Command("transfer", "Hand leadership to REPLICA gracefully; no client request fails") { replica };
        transfer.SetAction(r => context.RunAsync(r, async client =>
        {
            var name = r.GetValue(replica)!;
            await context.IO.Out.WriteLineAsync(await client.GetGrain<IRaftMembershipGrain>(GlobalOptions.GroupName(r)).TransferLeadership(name));
            return ExitCodes.Ok;
        }));
        return new Command("leader", "Leadership of the group") { transfer };
    }
}
