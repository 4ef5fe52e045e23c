using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'node drain NODE': moves the group's replicas off NODE, one membership change at a time.</summary>
public sealed class NodeVerb : IVerb
{
    public int Order => 66;

    public Command Create(ClientContext context)
    {
        var node = new Argument<string>("NODE") { Description = "The node to empty" };
        node.Validators.Add(r => NameValidator.Check(r, "node"));
        var drain = new Command("drain", "Move every replica of the group off NODE: leadership first, then a replacement on a spare node, then the removal") { node };
        drain.SetAction(r => context.RunAsync(r, async client =>
        {
            var done = await client.GetGrain<IRaftMembershipGrain>(GlobalOptions.GroupName(r)).DrainNode(r.GetValue(node)!);
            await context.IO.Out.WriteLineAsync(done);
            return ExitCodes.Ok;
        }));
        return new Command("node", "Nodes of the cluster") { drain };
    }
}
