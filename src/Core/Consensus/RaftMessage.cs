namespace Orleans.Raft.Consensus;

/// <summary>
/// A Raft RPC, etcd-style: one shape for every message type.
/// </summary>
/// <remarks>
/// AppendEntries: Index = prevLogIndex, LogTerm = prevLogTerm, Commit = leaderCommit.
/// AppendEntriesResponse: on success Index = the follower's last matching index; on reject Index = the rejected prevLogIndex,
/// ConflictIndex/ConflictTerm = where the follower's log diverges (fast back-off, Raft §5.3).
/// RequestVote / RequestPreVote: Index = lastLogIndex, LogTerm = lastLogTerm; Force marks a forced election that ignores leader leases.
/// InstallSnapshot (Figure 13): Index/LogTerm = the snapshot's last included index and term, Offset = where Data (one chunk)
/// goes, Done = last chunk, Checksum = the whole snapshot's. InstallSnapshotResponse: Index and Checksum = the snapshot's,
/// Offset = bytes received so far (the next offset expected), Done = installed, Reject = start the stream over.
/// TimeoutNow: the leader tells an up-to-date voter to campaign now, skipping pre-vote and leader leases.
/// Quiesce: an idle leader's notice, Index/LogTerm = its last entry, Commit = its commit index (see RaftNode.Quiesce).
/// AppendEntries also carries Round, the leader's newest heartbeat round, and every AppendEntriesResponse of the same
/// term echoes it: an echo proves the follower took the sender as its leader after that round began (reads, leases).
/// ReadIndex: Data = the read's context. ReadIndexResponse: Index = the read index, Data = the context, Reject = dropped.
/// </remarks>
public sealed record RaftMessage
{
    public required MessageType Type { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required long Term { get; init; }
    public long LogTerm { get; init; }
    public long Index { get; init; }
    public long Commit { get; init; }
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];
    public bool Reject { get; init; }
    public long ConflictIndex { get; init; }
    public long ConflictTerm { get; init; }
    public bool Force { get; init; }
    public long Offset { get; init; }
    public byte[] Data { get; init; } = [];
    public bool Done { get; init; }
    public long Checksum { get; init; }

    /// <summary>AppendEntries: the leader's newest heartbeat round; AppendEntriesResponse: the round echoed (0: none).</summary>
    public long Round { get; init; }

    /// <summary>InstallSnapshot: the configuration as of the snapshot's index (etcd's ConfState).</summary>
    public GroupConfiguration? Configuration { get; init; }

    public override string ToString() =>
        $"{Type} {From}->{To} t{Term} i{Index} lt{LogTerm} c{Commit} n{Entries.Count}{(Reject ? $" reject(ci{ConflictIndex},ct{ConflictTerm})" : "")}{(Force ? " force" : "")}{(Round > 0 ? $" r{Round}" : "")}";
}
