namespace Orleans.Raft.StateMachine;

/// <summary>
/// The keys of a range in ordinal order, at most the limit asked for; Count is how many keys the whole range holds and
/// More says the limit cut it short. Revision is the group's revision the range was read at.
/// </summary>
public sealed record RangeResult(IReadOnlyList<KeyValueEntry> Entries, long Count, bool More, long Revision);
