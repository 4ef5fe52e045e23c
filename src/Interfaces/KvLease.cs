namespace Orleans.Raft;

/// <summary>
/// A lease: its id, its granted time to live, the time the leader gives it before it expires (null when asked of a
/// list, which no leader confirms), and its keys.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvLease(
    [property: Id(0)] long Id,
    [property: Id(1)] TimeSpan Ttl,
    [property: Id(2)] TimeSpan? Remaining,
    [property: Id(3)] string[] Keys);
