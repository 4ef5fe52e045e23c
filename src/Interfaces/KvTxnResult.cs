namespace Orleans.Raft;

/// <summary>
/// A transaction's outcome: whether its compares held (Success ran), the group's revision after it, and each operation's
/// result. A retry answered from the session's record has no results.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvTxnResult(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] long Revision,
    [property: Id(2)] KvTxnOpResult[] Results);
