namespace Orleans.Raft;

[GenerateSerializer]
public enum KvOperation
{
    Get,
    Set,
    Delete,
    CompareAndSet,

    /// <summary>Appends Value to the key's value, creating the key if absent. Not idempotent: a retry must not apply twice.</summary>
    Append,
}

/// <summary>How a request ended. Only Timeout and Unavailable leave a write's outcome unknown.</summary>
/// <remarks>Append new members at the end: the wire format carries the number.</remarks>
[GenerateSerializer]
public enum KvStatus
{
    /// <summary>Done: for a get, Value holds the value.</summary>
    Ok,

    /// <summary>The key does not exist.</summary>
    NotFound,

    /// <summary>
    /// A compare-and-set found another value (in Value; null if the key was absent) and wrote nothing. A retry of it
    /// reports the value found the first time, unless that was too long to remember: then Value is null and Error
    /// says so.
    /// </summary>
    CompareFailed,

    /// <summary>This replica does not lead; LeaderHint names the leader it knows, if any.</summary>
    NotLeader,

    /// <summary>No result within the request timeout: a write may or may not have been applied.</summary>
    Timeout,

    /// <summary>The request is malformed: empty or oversized key, oversized value, unknown replica.</summary>
    InvalidRequest,

    /// <summary>The replica is not running (never started, or stopped).</summary>
    Unavailable,

    /// <summary>The leader's uncommitted backlog is at its bound: the write was not applied; retry later.</summary>
    Overloaded,
    /// <summary>
    /// The request's client session is unknown or expired (or its result was already acknowledged): nothing was
    /// applied. Open a new session; the request may have been applied before, under the old one.
    /// </summary>
    SessionExpired,
}

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

    public static KvRequest Get(string key) => new() { Operation = KvOperation.Get, Key = key };
    public static KvRequest Set(string key, string value) => new() { Operation = KvOperation.Set, Key = key, Value = value };
    public static KvRequest Delete(string key) => new() { Operation = KvOperation.Delete, Key = key };
    public static KvRequest CompareAndSet(string key, string? expected, string value) =>
        new() { Operation = KvOperation.CompareAndSet, Key = key, Expected = expected, Value = value };
    public static KvRequest Append(string key, string suffix) => new() { Operation = KvOperation.Append, Key = key, Value = suffix };

    public bool IsWrite => Operation != KvOperation.Get;
}

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

    public bool IsSuccess => Status is KvStatus.Ok;

    public static KvResponse Failure(KvStatus status, string error, string? servedBy = null) => new() { Status = status, Error = error, ServedBy = servedBy };
}

/// <summary>Where an entry sits in a replica's log.</summary>
[GenerateSerializer, Immutable]
public readonly record struct LogPosition([property: Id(0)] long Index, [property: Id(1)] long Term);

/// <summary>One replica as an operator sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaStatus
{
    [Id(0)] public required string Group { get; init; }
    [Id(1)] public required string Replica { get; init; }
    [Id(2)] public string? Silo { get; init; }
    [Id(3)] public bool Running { get; init; }
    [Id(4)] public ReplicaRole Role { get; init; } = ReplicaRole.Stopped;
    [Id(5)] public long CurrentTerm { get; init; }
    [Id(6)] public string? LeaderId { get; init; }
    [Id(7)] public string? VotedFor { get; init; }
    [Id(8)] public long CommitIndex { get; init; }
    [Id(9)] public long LastApplied { get; init; }
    [Id(10)] public long LastLogIndex { get; init; }
    [Id(11)] public long LastLogTerm { get; init; }
    [Id(12)] public string[] Members { get; init; } = [];
    [Id(13)] public string? Error { get; init; }

    /// <summary>The index of the latest snapshot: log entries up to it are compacted away.</summary>
    [Id(14)] public long SnapshotIndex { get; init; }

    /// <summary>The replica has stored state (it was created once); false for a replica that never ran here.</summary>
    [Id(15)] public bool HasStoredState { get; init; }

    /// <summary>Client requests waiting at this replica for their entry to apply.</summary>
    [Id(16)] public int PendingRequests { get; init; }
    /// <summary>
    /// Stored state, but never past creation: term 0, no vote, an empty log. Losing such a replica's state loses
    /// nothing, which is what lets an interrupted group creation be completed.
    /// </summary>
    [Id(17)] public bool NeverProgressed { get; init; }
}
