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

    /// <summary>
    /// Single links cut, as "a|b" with a before b in both directions, or "a>b" from a to b only; unlike partitions they
    /// need not be transitive (a bridge) or symmetric.
    /// </summary>
    [Id(5)] public string[] CutLinks { get; init; } = [];

    public bool IsEmpty => Partitions.Count == 0 && CutLinks.Length == 0 && DropRate == 0 && MaxDelay == TimeSpan.Zero && Stopped.Length == 0;

    /// <summary>True when a message from a to b is lost: some partition has one inside and the other outside, or the link is cut.</summary>
    public bool Separates(string a, string b) =>
        Partitions.Values.Any(members => members.Contains(a) != members.Contains(b))
        || (CutLinks.Length > 0 && (CutLinks.Contains(Link(a, b)) || CutLinks.Contains(OneWayLink(a, b))));

    public static string Link(string a, string b) => string.CompareOrdinal(a, b) < 0 ? $"{a}|{b}" : $"{b}|{a}";

    public static string OneWayLink(string from, string to) => $"{from}>{to}";
}
