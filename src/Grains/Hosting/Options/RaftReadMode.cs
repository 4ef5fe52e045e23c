namespace Orleans.Raft.Hosting;

/// <summary>How a replica serves a linearizable <c>get</c> (<see cref="RaftOptions.ReadMode"/>).</summary>
public enum RaftReadMode
{
    /// <summary>
    /// Raft thesis §6.4 (etcd's ReadIndex): the leader notes its commit index, confirms with one heartbeat round that it
    /// still leads, and answers from its state machine once applied that far. No log entry, no disk write.
    /// </summary>
    ReadIndex,

    /// <summary>
    /// Thesis §6.4.1: a leader whose heartbeats a quorum acknowledged recently answers without the round. Requires
    /// CheckQuorum, and assumes the replicas' clocks drift apart by less than a tick per election timeout.
    /// </summary>
    Lease,

    /// <summary>A get is proposed and committed like a write (the slowest, and the simplest to trust).</summary>
    Log,
}
