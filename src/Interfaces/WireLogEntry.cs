namespace Orleans.Raft;

/// <summary>A log entry on the wire between replicas.</summary>
[GenerateSerializer, Immutable]
public sealed record WireLogEntry(
    [property: Id(0)] long Index,
    [property: Id(1)] long Term,
    [property: Id(2)] byte Type,
    [property: Id(3)] byte[] Data);
