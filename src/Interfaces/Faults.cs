namespace Orleans.Raft;

/// <summary>The faults injected into one group. Partitions are named sets of replicas cut off from the rest.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupFaults
{
    public static readonly GroupFaults None = new();

    [Id(0)] public Dictionary<string, string[]> Partitions { get; init; } = [];

    /// <summary>Probability in [0, 1] that a message between two replicas is lost.</summary>
    [Id(1)] public double DropRate { get; init; }

    [Id(2)] public TimeSpan MinDelay { get; init; }
    [Id(3)] public TimeSpan MaxDelay { get; init; }

    /// <summary>Crash-stopped replicas: they answer nothing until started.</summary>
    [Id(4)] public string[] Stopped { get; init; } = [];

    /// <summary>Single links cut in both directions, as "a|b" with a before b; unlike partitions they need not be transitive (a bridge).</summary>
    [Id(5)] public string[] CutLinks { get; init; } = [];

    public bool IsEmpty => Partitions.Count == 0 && CutLinks.Length == 0 && DropRate == 0 && MaxDelay == TimeSpan.Zero && Stopped.Length == 0;

    /// <summary>True when some partition has one replica inside and the other outside, or their link is cut.</summary>
    public bool Separates(string a, string b) =>
        Partitions.Values.Any(members => members.Contains(a) != members.Contains(b)) || (CutLinks.Length > 0 && CutLinks.Contains(Link(a, b)));

    public static string Link(string a, string b) => string.CompareOrdinal(a, b) < 0 ? $"{a}|{b}" : $"{b}|{a}";
}

/// <summary>Every group's faults, versioned so silos apply only newer ones.</summary>
[GenerateSerializer, Immutable]
public sealed record FaultSnapshot
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public Dictionary<string, GroupFaults> Groups { get; init; } = [];
}

/// <summary>Each silo's fault agent: told of every change before the control grain's call returns.</summary>
public interface IFaultObserver : IGrainObserver
{
    Task OnFaultsChanged(FaultSnapshot snapshot);
}

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
