namespace Orleans.Raft.Bench;

/// <summary>One group's leadership at one moment, as its replicas report it: the newest term, and who leads it (null: nobody known).</summary>
internal sealed record GroupLeader(string Group, long Term, string? Leader);
