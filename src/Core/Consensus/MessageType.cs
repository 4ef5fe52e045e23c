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
}
