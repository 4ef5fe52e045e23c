namespace Orleans.Raft;

/// <summary>
/// A Raft RPC between replicas of one group, as a one-way grain call (see the core's RaftMessage). Configuration is an
/// InstallSnapshot's encoded group configuration, if any. FromMember is the sender's "name@node": how to reach a
/// sender that the receiver's configuration does not list yet (a leader added while it was cut off). Round is the
/// heartbeat round an AppendEntries carries or its response echoes (linearizable reads); 0 in an envelope from a silo
/// that predates it, which the core takes as no round.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RaftEnvelope(
    [property: Id(0)] byte Type, [property: Id(1)] string From, [property: Id(2)] string To,
    [property: Id(3)] long Term, [property: Id(4)] long LogTerm, [property: Id(5)] long Index, [property: Id(6)] long Commit,
    [property: Id(7)] WireLogEntry[] Entries,
    [property: Id(8)] bool Reject, [property: Id(9)] long ConflictIndex, [property: Id(10)] long ConflictTerm, [property: Id(11)] bool Force,
    [property: Id(12)] long Offset, [property: Id(13)] byte[] Data, [property: Id(14)] bool Done, [property: Id(15)] long Checksum,
    [property: Id(16)] byte[]? Configuration = null,
    [property: Id(17)] string? FromMember = null,
    [property: Id(18)] long Round = 0);
