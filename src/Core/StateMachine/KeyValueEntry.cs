namespace Orleans.Raft.StateMachine;

/// <summary>
/// A key as etcd describes one: its value (null when only keys were asked for), the revision that created it, the
/// revision of its last change, how many times it was written since it was created, and its lease (0 for none).
/// </summary>
public sealed record KeyValueEntry(string Key, string? Value, long CreateRevision, long ModRevision, long Version, long Lease);
