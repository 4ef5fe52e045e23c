namespace Orleans.Raft.StateMachine;

/// <summary>
/// What one operation of a transaction gave: a range's keys; how many keys a delete removed; for a put or a delete
/// asked for them, the entries as they were before.
/// </summary>
public sealed record TxnOpResult(TxnOpType Type, RangeResult? Range = null, long Deleted = 0, IReadOnlyList<KeyValueEntry>? Previous = null);
