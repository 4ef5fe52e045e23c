namespace Orleans.Raft.Consensus;

/// <summary>Why a proposal, a configuration change or a leadership transfer was refused.</summary>
public enum ProposeRefusal
{
    None,

    /// <summary>This replica does not lead; LeaderHint names the leader it knows of, if any.</summary>
    NotLeader,

    /// <summary>The leader's uncommitted backlog is at its bound.</summary>
    Overloaded,

    /// <summary>The leader is handing leadership over and takes no proposals meanwhile.</summary>
    LeadershipTransferInProgress,

    /// <summary>A configuration change is in the log and not yet committed.</summary>
    ConfigChangePending,

    /// <summary>The leader has not yet committed an entry of its own term (Raft thesis §4.1's fix).</summary>
    NotCommittedInTerm,

    /// <summary>
    /// The leader has proposed its own removal: it appends nothing more, so the remaining voters, which may not learn
    /// that the removal committed, never need the removed leader's vote against a log longer than theirs.
    /// </summary>
    LeaderBeingRemoved,

    /// <summary>The change itself is invalid in the current configuration (duplicate id, unknown id, no voter left, ...).</summary>
    InvalidChange,
}
