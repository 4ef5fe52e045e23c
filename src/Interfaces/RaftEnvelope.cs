namespace Orleans.Raft;

/// <summary>A Raft RPC between replicas of one group, as a one-way grain call (see the core's RaftMessage).</summary>
[GenerateSerializer, Immutable]
public sealed record RaftEnvelope
{
    [Id(0)] public required byte Type { get; init; }
    [Id(1)] public required string From { get; init; }
    [Id(2)] public required string To { get; init; }
    [Id(3)] public long Term { get; init; }
    [Id(4)] public long LogTerm { get; init; }
    [Id(5)] public long Index { get; init; }
    [Id(6)] public long Commit { get; init; }
    [Id(7)] public WireLogEntry[] Entries { get; init; } = [];
    [Id(8)] public bool Reject { get; init; }
    [Id(9)] public long ConflictIndex { get; init; }
    [Id(10)] public long ConflictTerm { get; init; }
    [Id(11)] public bool Force { get; init; }
    [Id(12)] public long Offset { get; init; }
    [Id(13)] public byte[] Data { get; init; } = [];
    [Id(14)] public bool Done { get; init; }
    [Id(15)] public long Checksum { get; init; }
}
