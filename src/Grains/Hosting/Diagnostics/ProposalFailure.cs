namespace Orleans.Raft.Hosting;

/// <summary>Why a proposal a leader on this silo took did not answer its client with its applied result.</summary>
public enum ProposalFailure
{
    /// <summary>Refused at once: the leader's uncommitted backlog was at its bound. Never applied.</summary>
    Overloaded,

    /// <summary>The request's time ran out first; the entry may still commit.</summary>
    Timeout,

    /// <summary>The proposer stopped leading first; the entry may or may not commit under the next leader.</summary>
    LeadershipLost,

    /// <summary>The replica stopped (by an operator, a fault or a storage failure) first.</summary>
    Stopped,
}
