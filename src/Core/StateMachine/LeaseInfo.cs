namespace Orleans.Raft.StateMachine;

/// <summary>A granted lease: its id (the index of the entry that granted it), its time to live, and the keys attached.</summary>
public sealed record LeaseInfo(long Id, long TtlMillis, IReadOnlyList<string> Keys);
