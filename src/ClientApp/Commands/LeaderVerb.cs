using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>
/// 'leader transfer REPLICA': the leader brings REPLICA up to date and tells it to campaign (TimeoutNow). 'leader NAME':
/// the value of the named election's leader (see 'campaign'); the subcommand wins, so an election cannot be named 'transfer'.
/// </summary>
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
        var election = new Argument<string?>("NAME") { Description = "An election (see 'campaign'): print its leader's value", Arity = ArgumentArity.ZeroOrOne };
        var leader = new Command("leader", "The leader of the named election (leader NAME), or leadership of the group (leader transfer REPLICA)") { election, transfer };
        leader.Validators.Add(r =>
        {
            if (r.Children.OfType<System.CommandLine.Parsing.CommandResult>().Any()) return;
            var text = r.GetValue(election);
            if (text is null) r.AddError("leader takes NAME (an election) or 'transfer REPLICA'");
            else if (text.Length == 0 || text.Contains('}')) r.AddError($"'{text}' is not a valid election name: it is not empty and has no '}}'");
        });
        leader.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            var name = r.GetValue(election)!;
            if (await store.GetLeaderAsync(name, ct) is not { } entry)
            {
                await context.IO.Error.WriteLineAsync($"error: no leader in election '{name}'");
                return ExitCodes.RequestFailed;
            }
            await context.IO.Out.WriteLineAsync(entry.Value);
            return ExitCodes.Ok;
        }));
        return leader;
    }
}
