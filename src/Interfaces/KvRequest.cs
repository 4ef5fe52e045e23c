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

    public static KvRequest Get(string key) => new() { Operation = KvOperation.Get, Key = key };

    /// <summary>A get with the given consistency: <see cref="ReadConsistency.Serializable"/> lets any replica answer, possibly stale.</summary>
    public static KvRequest Get(string key, ReadConsistency consistency) => new() { Operation = KvOperation.Get, Key = key, Consistency = consistency };
    public static KvRequest Set(string key, string value) => new() { Operation = KvOperation.Set, Key = key, Value = value };
    public static KvRequest Delete(string key) => new() { Operation = KvOperation.Delete, Key = key };
    public static KvRequest CompareAndSet(string key, string? expected, string value) =>
        new() { Operation = KvOperation.CompareAndSet, Key = key, Expected = expected, Value = value };
    public static KvRequest Append(string key, string suffix) => new() { Operation = KvOperation.Append, Key = key, Value = suffix };

    public bool IsWrite => Operation != KvOperation.Get;

    /// <summary>A get that any running replica may serve from what it has applied, with no leader involved.</summary>
    public bool IsSerializableRead => Operation == KvOperation.Get && Consistency == ReadConsistency.Serializable;
}
