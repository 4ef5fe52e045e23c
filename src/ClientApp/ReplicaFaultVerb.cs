using System.CommandLine;

namespace Orleans.Raft.ClientApp;

/// <summary>A fault command on one replica that prints "replica NAME {done}"; each command is a sealed subclass in Commands/.</summary>
public abstract class ReplicaFaultVerb(int order, string name, string description, string replicaDescription, string done,
    Func<IFaultControlGrain, string, string, Task> action) : IVerb
{
    public int Order => order;

    public Command Create(ClientContext context)
    {
        var replica = FaultRequests.Names("REPLICA", replicaDescription);
        var command = new Command(name, description) { replica };
        command.SetAction(r => FaultRequests.RunAsync(context, r, async (_, faults, group) =>
        {
            await action(faults, group, r.GetValue(replica)!);
            return $"replica {r.GetValue(replica)} {done}";
        }));
        return command;
    }
}
