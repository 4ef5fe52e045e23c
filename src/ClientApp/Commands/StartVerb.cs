namespace Orleans.Raft.ClientApp.Commands;

public sealed class StartVerb() : ReplicaFaultVerb(170, "start", "Start a stopped REPLICA again from its stable storage", "The replica to start", "started",
    (faults, group, replica) => faults.StartReplica(group, replica, []));
