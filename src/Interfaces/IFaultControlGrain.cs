namespace Orleans.Raft;

/// <summary>
/// Injects faults into a live cluster (key: "cluster"): partitions, message loss and delay between a group's replicas,
/// and crash-stops of replicas. Each change holds on every silo when the call returns. Faults act in the grain-call
/// path and touch only the group they name.
/// </summary>
public interface IFaultControlGrain : IGrainWithStringKey
{
    /// <summary>Cuts the named replicas off from the rest of their group, as partition <paramref name="partition"/>.</summary>
    Task Split(string group, string partition, string[] replicas);

    /// <summary>Heals one partition.</summary>
    Task Join(string group, string partition);

    /// <summary>
    /// Cuts every link between a replica of one side and a replica of the other; links within a side, and to replicas
    /// on neither side, stay up. With a replica on neither side this makes a bridge: both sides reach it, not each other.
    /// </summary>
    Task Cut(string group, string[] side, string[] otherSide);

    /// <summary>
    /// Cuts the links from each replica of <paramref name="from"/> to each of <paramref name="to"/> in that direction
    /// only: those messages are lost, the ones back still arrive. A replica can then be heard without hearing.
    /// </summary>
    Task CutOneWay(string group, string[] from, string[] to);

    /// <summary>Heals every partition and cut link and clears message loss and delay (stopped replicas stay stopped).</summary>
    Task Heal(string group);

    Task SetDropRate(string group, double rate);

    Task SetDelay(string group, TimeSpan min, TimeSpan max);

    /// <summary>Crash-stops a replica: it answers nothing, its timers stop and its volatile state is gone.</summary>
    Task StopReplica(string group, string replica);

    /// <summary>Starts a replica again from its stable storage, or for the first time with the given members.</summary>
    Task StartReplica(string group, string replica, string[] members);

    Task<GroupFaults> GetFaults(string group);

    /// <summary>Removes every fault of a group, stopped replicas included.</summary>
    Task Forget(string group);

    Task<FaultSnapshot> Subscribe(IFaultObserver observer);
}
