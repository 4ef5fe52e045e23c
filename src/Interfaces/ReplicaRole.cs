namespace Orleans.Raft;

/// <summary>What a replica is doing, as an operator sees it; JSON shows the name.</summary>
[GenerateSerializer]
public enum ReplicaRole
{
    /// <summary>Not running: never started, stopped, or deactivated.</summary>
    Stopped,
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}
