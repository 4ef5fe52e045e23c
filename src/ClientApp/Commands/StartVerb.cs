using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class StartVerb : IVerb
{
    public int Order => 170;

    public Command Create(ClientContext context) => FaultRequests.OnReplica(context, "start",
        "Start a stopped REPLICA again from its stable storage", "The replica to start", "started",
        (faults, group, replica) => faults.StartReplica(group, replica, []));
}
