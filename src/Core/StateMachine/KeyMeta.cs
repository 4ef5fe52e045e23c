namespace Orleans.Raft.StateMachine;

/// <summary>What the state machine keeps of a key beside its value.</summary>
internal readonly record struct KeyMeta(long CreateRevision, long ModRevision, long Version, long Lease);
