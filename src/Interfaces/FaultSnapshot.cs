namespace Orleans.Raft;

/// <summary>Every group's faults, versioned so silos apply only newer ones.</summary>
[GenerateSerializer, Immutable]
public sealed record FaultSnapshot
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public Dictionary<string, GroupFaults> Groups { get; init; } = [];
}
