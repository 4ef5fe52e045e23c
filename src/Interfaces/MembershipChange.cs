namespace Orleans.Raft;

/// <summary>A membership change for the leader to propose: Replica is a name; Node only when adding a pinned replica.</summary>
[GenerateSerializer, Immutable]
public sealed record MembershipChange(
    [property: Id(0)] MembershipChangeKind Kind, [property: Id(1)] string Replica, [property: Id(2)] string? Node = null);
