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
}
