using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class StopVerb : IVerb
{
    public int Order => 160;

    public Command Create(ClientContext context) => FaultRequests.OnReplica(context, "stop",
        "Crash-stop REPLICA: it answers nothing and loses its volatile state", "The replica to crash-stop", "stopped",
        (faults, group, replica) => faults.StopReplica(group, replica));
}
