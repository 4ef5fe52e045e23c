namespace Orleans.Raft.Consensus;

/// <summary>The role a replica plays, as in Figure 2 of the Raft paper (plus etcd's pre-candidate).</summary>
public enum RaftRole
{
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

public enum LogEntryType : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2).</summary>
    NoOp = 1,
}

/// <summary>One entry of the replicated log.</summary>
public sealed record LogEntry(long Index, long Term, LogEntryType Type, byte[] Data)
{
    public static LogEntry NoOp(long index, long term) => new(index, term, LogEntryType.NoOp, []);

    public int Size => Data.Length + 24;
}

/// <summary>The state that must reach stable storage before a replica answers: currentTerm, votedFor, and commitIndex.</summary>
/// <remarks>commitIndex is not required for safety; keeping it lets a restarted replica re-apply without waiting for a leader.</remarks>
public readonly record struct HardState(long CurrentTerm, string? VotedFor, long CommitIndex)
{
    public static readonly HardState Empty = new(0, null, 0);
}

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
}

/// <summary>
/// A state-machine snapshot as the core sees it: everything up to Index (of term Term), as opaque bytes, and the
/// <see cref="SnapshotChecksum"/> of those bytes.
/// </summary>
public sealed record SnapshotData(long Index, long Term, byte[] Data, long Checksum)
{
    /// <summary>A snapshot of freshly taken bytes: computes their checksum.</summary>
    public SnapshotData(long index, long term, byte[] data)
        : this(index, term, data, SnapshotChecksum.Compute(data))
    {
    }

    /// <summary>True when Data still has the checksum it was taken with.</summary>
    public bool IsIntact => SnapshotChecksum.Compute(Data) == Checksum;
}

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

    public override string ToString() =>
        $"{Type} {From}->{To} t{Term} i{Index} lt{LogTerm} c{Commit} n{Entries.Count}{(Reject ? $" reject(ci{ConflictIndex},ct{ConflictTerm})" : "")}{(Force ? " force" : "")}";
}

/// <summary>Randomness is injected so every run can be replayed from its seed.</summary>
public interface IRaftRandom
{
    /// <summary>A value in [minInclusive, maxExclusive).</summary>
    int Next(int minInclusive, int maxExclusive);
}

public sealed class SeededRaftRandom(int seed) : IRaftRandom
{
    private readonly Random _random = new(seed);

    public int Next(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);
}

public sealed record RaftConfig
{
    /// <summary>This replica's name.</summary>
    public required string Id { get; init; }

    /// <summary>Every voting member of the group, this replica included.</summary>
    public required IReadOnlyList<string> Members { get; init; }

    /// <summary>Ticks without a leader before a follower campaigns; the actual timeout is randomized in [ElectionTick, 2*ElectionTick).</summary>
    public int ElectionTick { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>Run a pre-vote round before raising the term, so a partitioned replica cannot disrupt the group when it returns (Raft thesis §9.6).</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>A leader steps down when it has not heard from a majority for an election timeout; followers then also ignore votes while they hear from a leader.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>The most entries one AppendEntries carries.</summary>
    public int MaxEntriesPerMessage { get; init; } = 512;

    /// <summary>The most bytes of entry data one AppendEntries carries (at least one entry is always sent).</summary>
    public long MaxBytesPerMessage { get; init; } = 1 << 20;

    /// <summary>How many AppendEntries a leader keeps in flight to a follower it is replicating to.</summary>
    public int MaxInflightMessages { get; init; } = 64;

    /// <summary>The most committed entries handed out in one Ready.</summary>
    public int MaxCommittedEntriesPerReady { get; init; } = 4096;

    /// <summary>The size of one InstallSnapshot chunk.</summary>
    public int SnapshotChunkBytes { get; init; } = 256 * 1024;

    /// <summary>The most commands a leader holds uncommitted; past it, proposals are refused as overloaded.</summary>
    public int MaxUncommittedEntries { get; init; } = int.MaxValue;

    /// <summary>
    /// The most payload bytes a leader holds uncommitted (etcd's MaxUncommittedEntriesSize); past it, proposals are
    /// refused as overloaded. A proposal is always admitted when nothing is uncommitted, however large.
    /// </summary>
    public long MaxUncommittedBytes { get; init; } = long.MaxValue;
    /// <summary>How many InstallSnapshot chunks a leader keeps in flight to one follower.</summary>
    public int MaxInflightSnapshotChunks { get; init; } = 4;

    /// <summary>
    /// Entries kept below a snapshot when the log is compacted (etcd's SnapshotCatchUpEntries), so a follower that just
    /// installed an older snapshot continues from the log instead of needing the newer one.
    /// </summary>
    public int SnapshotCatchUpEntries { get; init; }

    public void Validate()
    {
        if (string.IsNullOrEmpty(Id)) throw new ArgumentException("Id is required.");
        if (!Members.Contains(Id)) throw new ArgumentException($"Members must include this replica '{Id}'.");
        if (Members.Distinct().Count() != Members.Count) throw new ArgumentException("Members must be distinct.");
        if (HeartbeatTick <= 0) throw new ArgumentException("HeartbeatTick must be positive.");
        if (ElectionTick <= HeartbeatTick) throw new ArgumentException("ElectionTick must be greater than HeartbeatTick.");
        if (MaxEntriesPerMessage <= 0 || MaxInflightMessages <= 0 || MaxBytesPerMessage <= 0 || MaxCommittedEntriesPerReady <= 0 || SnapshotChunkBytes <= 0
            || MaxUncommittedEntries <= 0 || MaxUncommittedBytes <= 0 || MaxInflightSnapshotChunks <= 0)
            throw new ArgumentException("Limits must be positive.");
        if (SnapshotCatchUpEntries < 0) throw new ArgumentException("SnapshotCatchUpEntries must not be negative.");
    }
}

/// <summary>
/// What the shell must do, in order: persist Snapshot, HardState and Entries, then send Messages, then restore the
/// state machine from Snapshot (if any) and apply CommittedEntries; then call <see cref="RaftNode.Advance"/>.
/// </summary>
public sealed record Ready
{
    /// <summary>
    /// A snapshot received from the leader, its checksum verified: persist it (it replaces the whole log) and restore the
    /// state machine from it.
    /// </summary>
    public SnapshotData? Snapshot { get; init; }

    /// <summary>The new HardState to persist, or null when it has not changed.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Entries to persist. The store drops any entry it holds at or after Entries[0].Index, then appends these.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>Messages to send once the state above is durable.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; init; } = [];

    /// <summary>Committed entries to apply to the state machine, in order.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; init; } = [];

    internal long LastEntryIndex { get; init; }

    public bool MustPersist => HardState is not null || Entries.Count > 0 || Snapshot is not null;
}

/// <summary>Thrown when the core sees its own invariants broken: this is a bug, never a runtime condition.</summary>
public sealed class RaftInvariantException(string message) : Exception(message);
