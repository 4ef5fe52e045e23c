namespace Orleans.Raft;

[GenerateSerializer, Immutable]
public sealed record KvResponse
{
    [Id(0)] public required KvStatus Status { get; init; }
    [Id(1)] public string? Value { get; init; }

    /// <summary>The replica that served the request (the leader that committed it).</summary>
    [Id(2)] public string? ServedBy { get; init; }

    [Id(3)] public string? LeaderHint { get; init; }
    [Id(4)] public string? Error { get; init; }

    /// <summary>The log index at which the request took effect.</summary>
    [Id(5)] public long Index { get; init; }

    /// <summary>
    /// Set only on a leadership transfer's Timeout when the old leader told the target to campaign but heard no outcome:
    /// the term it led in. Whether the target won is then for the replicas' statuses to tell.
    /// </summary>
    [Id(6)] public long UndecidedTransferTerm { get; init; }

    /// <summary>The group's revision when the request was served (etcd's header revision).</summary>
    [Id(7)] public long Revision { get; init; }

    /// <summary>For a get that found its key: the key with its revisions, version and lease.</summary>
    [Id(8)] public KvEntry? Entry { get; init; }

    /// <summary>For a range: its keys in order; Count is how many the whole range holds, More that a limit cut it short.</summary>
    [Id(9)] public KvEntry[]? Entries { get; init; }

    [Id(10)] public long Count { get; init; }

    [Id(11)] public bool More { get; init; }

    [Id(12)] public KvTxnResult? Txn { get; init; }

    /// <summary>For a lease grant: the new lease's id.</summary>
    [Id(13)] public long Lease { get; init; }

    /// <summary>For lease queries and keep-alives: the leases.</summary>
    [Id(14)] public KvLease[]? Leases { get; init; }

    public bool IsSuccess => Status is KvStatus.Ok;

    public static KvResponse Failure(KvStatus status, string error, string? servedBy = null) => new() { Status = status, Error = error, ServedBy = servedBy };
}
