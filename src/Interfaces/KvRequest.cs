namespace Orleans.Raft;

[GenerateSerializer, Immutable]
public sealed record KvRequest
{
    [Id(0)] public required KvOperation Operation { get; init; }
    [Id(1)] public required string Key { get; init; }
    [Id(2)] public string? Value { get; init; }

    /// <summary>For compare-and-set: the value the key must hold; null means the key must not exist.</summary>
    [Id(3)] public string? Expected { get; init; }

    /// <summary>
    /// The client session of a write (see IKeyValueGatewayGrain.OpenSession); 0 lets the gateway use its own. With
    /// Sequence it identifies one logical operation across retries, so a retried write is applied at most once.
    /// </summary>
    [Id(5)] public long SessionId { get; init; }

    /// <summary>Numbers the session's requests; a retry carries the same number.</summary>
    [Id(6)] public long Sequence { get; init; }

    /// <summary>The client will not retry any of the session's requests numbered below this: their results can go.</summary>
    [Id(7)] public long AckedBelow { get; init; }

    /// <summary>For a get: linearizable unless serializable is asked for explicitly.</summary>
    [Id(8)] public ReadConsistency Consistency { get; init; }

    /// <summary>For a range: its end, exclusive (see <see cref="KeyRange"/>); null is Key alone.</summary>
    [Id(9)] public string? RangeEnd { get; init; }

    /// <summary>For a range: at most this many keys; 0 is no limit.</summary>
    [Id(10)] public long Limit { get; init; }

    /// <summary>For a range: keys and revisions only, no values.</summary>
    [Id(11)] public bool KeysOnly { get; init; }

    /// <summary>For a set: the lease to attach the key to (0 detaches it); for lease operations, the lease.</summary>
    [Id(12)] public long Lease { get; init; }

    /// <summary>For compare-and-set: instead of Expected, the mod revision the key must have (0: it must not exist).</summary>
    [Id(13)] public long? ExpectedModRevision { get; init; }

    /// <summary>For a lease grant: its time to live.</summary>
    [Id(14)] public TimeSpan Ttl { get; init; }

    [Id(15)] public KvTxn? Txn { get; init; }

    public static KvRequest Get(string key) => new() { Operation = KvOperation.Get, Key = key };

    /// <summary>A get with the given consistency: <see cref="ReadConsistency.Serializable"/> lets any replica answer, possibly stale.</summary>
    public static KvRequest Get(string key, ReadConsistency consistency) => new() { Operation = KvOperation.Get, Key = key, Consistency = consistency };
    public static KvRequest Set(string key, string value) => new() { Operation = KvOperation.Set, Key = key, Value = value };
    public static KvRequest Delete(string key) => new() { Operation = KvOperation.Delete, Key = key };
    public static KvRequest CompareAndSet(string key, string? expected, string value) =>
        new() { Operation = KvOperation.CompareAndSet, Key = key, Expected = expected, Value = value };
    public static KvRequest Append(string key, string suffix) => new() { Operation = KvOperation.Append, Key = key, Value = suffix };

    public static KvRequest Range(string key, string? rangeEnd, long limit = 0, bool keysOnly = false, ReadConsistency consistency = default) =>
        new() { Operation = KvOperation.Range, Key = key, RangeEnd = rangeEnd, Limit = limit, KeysOnly = keysOnly, Consistency = consistency };

    public static KvRequest Transaction(KvTxn txn) => new() { Operation = KvOperation.Txn, Key = txn.Keys.FirstOrDefault() ?? "", Txn = txn };

    public static KvRequest LeaseGrant(TimeSpan ttl) => new() { Operation = KvOperation.LeaseGrant, Key = "", Ttl = ttl };

    public static KvRequest LeaseOperation(KvOperation operation, long lease) => new() { Operation = operation, Key = "", Lease = lease };

    /// <summary>Gets, ranges, lease queries and keep-alives: they write nothing to the log, so a retry is always safe.</summary>
    public bool IsRead => Operation is KvOperation.Get or KvOperation.Range or KvOperation.LeaseTimeToLive or KvOperation.LeaseList or KvOperation.LeaseKeepAlive;

    public bool IsWrite => !IsRead;

    /// <summary>A get or range that any running replica may serve from what it has applied, with no leader involved.</summary>
    public bool IsSerializableRead => Operation is KvOperation.Get or KvOperation.Range && Consistency == ReadConsistency.Serializable;
}
