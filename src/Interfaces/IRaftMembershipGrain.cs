namespace Orleans.Raft;

/// <summary>
/// Membership operations on one group (keyed by group name): each is a series of single-server changes proposed at
/// the leader, one at a time. A refused operation throws <see cref="InvalidOperationException"/> whose message says
/// why; each answer is one line saying what was done.
/// </summary>
public interface IRaftMembershipGrain : IGrainWithStringKey
{
    Task<MemberList> List();

    /// <summary>Adds a replica under a fresh name as a learner on node (or a live node holding none of the group's replicas); it is promoted once caught up.</summary>
    Task<string> Add(string? node);

    /// <summary>Removes a replica; leadership moves first if it leads. Refused below a majority of live voters or while a change is pending.</summary>
    Task<string> Remove(string replica);

    /// <summary>Hands leadership to a voter gracefully (TimeoutNow).</summary>
    Task<string> TransferLeadership(string replica);

    /// <summary>Moves every replica of the group off node: leadership first, then a replacement added elsewhere and the replica removed, one change at a time.</summary>
    Task<string> DrainNode(string node);

    /// <summary>
    /// Self-repair, asked by the leader: replaces replica, whose node has been dead too long, with a new replica on a live
    /// node that holds none of the group's replicas (a learner, promoted), then removes it.
    /// </summary>
    Task<string> ReplaceDeadReplica(string replica, string deadNode);

    /// <summary>
    /// The steps and refusals of this group's membership operations (self-repair's too) recorded after sequence number
    /// after, oldest first: 0 for all the bounded record holds. The record is in memory and lost with the grain's silo.
    /// </summary>
    Task<MembershipEvents> Events(long after);
}
