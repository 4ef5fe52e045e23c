using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'campaign NAME VALUE': leader election for the user's own services, as etcdctl elect.</summary>
public sealed class CampaignVerb : IVerb
{
    public int Order => 49;

    public Command Create(ClientContext context)
    {
        var name = StoreRequests.RecipeName("election");
        var value = new Argument<string>("VALUE") { Description = "What this candidate proclaims once elected (its address, say)" };
        var ttl = StoreRequests.Ttl("the leadership");
        var command = new Command("campaign", "Campaign in the named election; once elected, print 'KEY VALUE rev=N' and lead until Ctrl+C, then resign")
        {
            name, value, ttl,
        };
        command.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            await using var leadership = await store.CampaignAsync(r.GetValue(name)!, r.GetValue(value)!, StoreRequests.TtlOf(r, ttl), ct);
            await context.IO.Out.WriteLineAsync($"{leadership.Key} {leadership.Value} rev={leadership.Revision}");
            await context.IO.Out.FlushAsync(ct);
            return await LockVerb.HoldAsync(context.IO, leadership.Lost, $"lost the leadership of {leadership.Election}: its lease expired, so another may lead", ct);
        }));
        return command;
    }
}
