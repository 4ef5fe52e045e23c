namespace Orleans.Raft;

/// <summary>
/// One change a watcher sees: the key after a put, or the deleted key (no value; ModRevision is the delete's), the entry
/// it replaced when asked for, and the group's revision of the change. Or the end of a watch that asked for compacted
/// history (<see cref="KvWatchEventType.Compacted"/>), with the compacted revision.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvWatchEvent(
    [property: Id(0)] KvWatchEventType Type,
    [property: Id(1)] KvEntry? Entry,
    [property: Id(2)] KvEntry? Previous,
    [property: Id(3)] long Revision,
    [property: Id(4)] long CompactRevision = 0);
