namespace Orleans.Raft.Consensus;

public enum MessageType : byte
{
    RequestVote,
    RequestVoteResponse,
    RequestPreVote,
    RequestPreVoteResponse,
    AppendEntries,
    AppendEntriesResponse,
    InstallSnapshot,
    InstallSnapshotResponse,

    /// <summary>A leader handing over leadership tells the up-to-date target to campaign at once (Raft thesis §3.10).</summary>
    TimeoutNow,

    /// <summary>
    /// An idle leader tells a follower that it stops ticking and heartbeating (CockroachDB's quiesce, TiKV's hibernate):
    /// Index/LogTerm = the leader's last entry, Commit = its commit index. No answer.
    /// </summary>
    Quiesce,

    /// <summary>A follower forwards a read to its leader (Data = the read's context). Never changes a term.</summary>
    ReadIndex,

    /// <summary>
    /// The leader's answer to a forwarded read, once confirmed: Index = the read index, Data = the context; Reject = the
    /// read was refused or dropped (this replica does not lead, or has not committed an entry of its term yet).
    /// </summary>
    ReadIndexResponse,
}
