namespace Orleans.Raft.StateMachine;

/// <summary>
/// One change to a key, as a watcher sees it: Entry is the key after a put, or for a delete the key with no value and
/// ModRevision the delete's revision. Previous is the entry it replaced, if there was one.
/// </summary>
public sealed record ChangeEvent(ChangeType Type, KeyValueEntry Entry, KeyValueEntry? Previous)
{
    public long Revision => Entry.ModRevision;
}
