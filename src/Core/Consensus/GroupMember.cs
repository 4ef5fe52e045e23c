namespace Orleans.Raft.Consensus;

/// <summary>One replica of a group: its id, and an opaque string the shell uses to find it (its node, e.g. "n1").</summary>
public sealed record GroupMember(string Id, string Node);
