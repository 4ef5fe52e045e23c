namespace Orleans.Raft.ClientApp.Commands;

public sealed class StopVerb() : ReplicaFaultVerb(160, "stop", "Crash-stop REPLICA: it answers nothing and loses its volatile state", "The replica to crash-stop", "stopped",
    (faults, group, replica) => faults.StopReplica(group, replica));
