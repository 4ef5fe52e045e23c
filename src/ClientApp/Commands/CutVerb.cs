using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class CutVerb : IVerb
{
    public int Order => 120;

    public Command Create(ClientContext context)
    {
        var side = FaultRequests.Names("SIDE", "One side, comma-separated: r1,r2");
        var other = FaultRequests.Names("OTHER", "The other side: r4,r5");
        var command = new Command("cut", "Cut every link between two sides; a replica on neither side bridges them") { side, other };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            string[] a = NameValidator.SplitList(r.GetValue(side)!), b = NameValidator.SplitList(r.GetValue(other)!);
            await faults.Cut(group, a, b);
            return $"links cut between {string.Join(",", a)} and {string.Join(",", b)}";
        }));
        return command;
    }
}
