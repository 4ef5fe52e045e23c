namespace Orleans.Raft;

/// <summary>
/// A key as etcd's KeyValue describes one: its value (null when only keys were asked for), the revision of its group
/// that created it, that of its last change, how many times it was written since it was created, and its lease (0 for none).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvEntry(
    [property: Id(0)] string Key,
    [property: Id(1)] string? Value,
    [property: Id(2)] long CreateRevision,
    [property: Id(3)] long ModRevision,
    [property: Id(4)] long Version,
    [property: Id(5)] long Lease);
