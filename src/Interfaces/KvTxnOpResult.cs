namespace Orleans.Raft;

/// <summary>
/// One operation's result: a range's entries (Count is the whole range's, More says a limit cut it short), how many
/// keys a delete removed, and the entries a put or delete replaced when asked for.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvTxnOpResult(
    [property: Id(0)] KvTxnOpType Type,
    [property: Id(1)] KvEntry[] Entries,
    [property: Id(2)] long Count,
    [property: Id(3)] bool More,
    [property: Id(4)] long Deleted,
    [property: Id(5)] KvEntry[] Previous);
