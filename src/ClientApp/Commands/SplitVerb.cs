using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class SplitVerb : IVerb
{
    public int Order => 100;

    public Command Create(ClientContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The partition's name, for 'join NAME'" };
        name.Validators.Add(r => NameValidator.Check(r, "partition"));
        var replicas = FaultRequests.Names("REPLICAS", "The replicas to cut off from the rest, comma-separated: r1,r2");
        var command = new Command("split", "Cut replicas off from the rest of the group (partition NAME)") { name, replicas };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (client, faults, group) =>
        {
            var cut = NameValidator.SplitList(r.GetValue(replicas)!);
            var members = (await client.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers()).Select(Hosting.ReplicaKey.NameOf).ToArray();
            // A side with every replica has no other side: nothing would be cut off.
            if (members.Length > 0 && members.All(cut.Contains))
                throw new ArgumentException($"partition {r.GetValue(name)} would hold every replica of group '{group}' ({string.Join(",", members)}) and cut nothing off; name the replicas of one side");
            await faults.Split(group, r.GetValue(name)!, cut);
            return $"partition {r.GetValue(name)} split off: {string.Join(",", cut)}";
        }));
        return command;
    }
}
