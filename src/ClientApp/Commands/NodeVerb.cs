using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>
/// 'node drain NODE': moves replicas off NODE, one membership change at a time: of every group of the store that has
/// one there, one group after another, or of the group named by --group.
/// </summary>
public sealed class NodeVerb : IVerb
{
    public int Order => 66;

    public Command Create(ClientContext context)
    {
        var node = new Argument<string>("NODE") { Description = "The node to empty" };
        node.Validators.Add(r => NameValidator.Check(r, "node"));
        var drain = new Command("drain",
            "Move every replica off NODE (of every group of the store, one group at a time; or of --group G): leadership first, then a replacement on a spare node, then the removal") { node };
        drain.SetAction(r => context.RunAsync(r, async client =>
        {
            var name = r.GetValue(node)!;
            if (r.GetValue(GlobalOptions.Group) is { } group)
            {
                await context.IO.Out.WriteLineAsync(await client.GetGrain<IRaftMembershipGrain>(group).DrainNode(name));
                return ExitCodes.Ok;
            }
            var store = GlobalOptions.GroupName(r);
            var refused = 0;
            var drained = await StoreDrain.RunAsync(client, store, name, async d =>
            {
                // A store of one group reports as that group does; several, a line per group as each is done.
                var prefix = d.Group == store ? "" : $"{d.Group}: ";
                if (d.Succeeded) await context.IO.Out.WriteLineAsync(prefix + d.Result);
                else
                {
                    refused++;
                    await context.IO.Error.WriteLineAsync($"error: {prefix}{ClientContext.OneLine(d.Error!)}");
                }
            });
            if (drained.Length == 0) await context.IO.Out.WriteLineAsync(StoreDrain.NothingOn(store, name));
            return refused == 0 ? ExitCodes.Ok : ExitCodes.RequestFailed;
        }));
        return new Command("node", "Nodes of the cluster") { drain };
    }
}
