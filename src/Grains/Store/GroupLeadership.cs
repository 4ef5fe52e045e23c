namespace Orleans.Raft.Store;

/// <summary>
/// One group's leadership as the leader balancer sees it: its leader's node, the live voters that could lead instead
/// (replica and node), the node of its preferred (first configured) replica, and whether a membership change or a
/// leadership transfer is under way, which leaves it alone.
/// </summary>
public sealed record GroupLeadership(string Group, string? Leader, string? LeaderNode, IReadOnlyList<(string Replica, string Node)> LiveVoters, string? PreferredNode, bool Busy);
