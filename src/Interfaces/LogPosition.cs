namespace Orleans.Raft;

/// <summary>Where an entry sits in a replica's log.</summary>
[GenerateSerializer, Immutable]
public readonly record struct LogPosition([property: Id(0)] long Index, [property: Id(1)] long Term);
