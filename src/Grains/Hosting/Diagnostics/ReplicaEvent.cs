namespace Orleans.Raft.Hosting;

/// <summary>One change a replica on this silo saw; Term is its current term then.</summary>
public sealed record ReplicaEvent(ReplicaEventKind Kind, string Group, string Replica, long Term, string? Leader = null, string? Detail = null);
