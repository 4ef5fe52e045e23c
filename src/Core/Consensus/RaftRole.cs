namespace Orleans.Raft.Consensus;

/// <summary>The role a replica plays, as in Figure 2 of the Raft paper (plus etcd's pre-candidate).</summary>
public enum RaftRole
{
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}
