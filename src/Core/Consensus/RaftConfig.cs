namespace Orleans.Raft.Consensus;

public sealed record RaftConfig
{
    /// <summary>This replica's name.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// The voters of the group's bootstrap configuration, the one before any change (at index 0): in force until a
    /// configuration change entry commits or a snapshot carries a configuration. A replica joining an existing group is
    /// given the group's bootstrap configuration, in which it does not appear; it learns its membership from the log or
    /// a snapshot, and never campaigns before.
    /// </summary>
    public required IReadOnlyList<string> Members { get; init; }

    /// <summary>The learners of the bootstrap configuration.</summary>
    public IReadOnlyList<string> Learners { get; init; } = [];

    /// <summary>The node of each bootstrap member, as the shell names it; a member not listed has "".</summary>
    public IReadOnlyDictionary<string, string> Nodes { get; init; } = new Dictionary<string, string>();

    /// <summary>The bootstrap configuration built from <see cref="Members"/>, <see cref="Learners"/> and <see cref="Nodes"/>.</summary>
    public GroupConfiguration Bootstrap => new(
        Members.Select(id => new GroupMember(id, Nodes.GetValueOrDefault(id, ""))),
        Learners.Select(id => new GroupMember(id, Nodes.GetValueOrDefault(id, ""))));

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

    /// <summary>
    /// Lease reads (etcd's ReadOnlyLeaseBased, Raft thesis §6.4.1): a leader answers <see cref="RaftNode.ReadIndex"/> at
    /// once, with no heartbeat round, while it holds a lease: ElectionTick − 2 of its ticks from when it sent a heartbeat
    /// round that a quorum of voters acknowledged. A voter that heard from a leader grants no vote for ElectionTick of its
    /// own ticks (CheckQuorum, required), so no other leader can exist meanwhile, provided the clocks agree: ElectionTick − 1
    /// ticks of any replica must last at least as long as ElectionTick − 1 ticks of the leader (the tick kept back covers
    /// the drift between their tick rates, the other one where within a tick a message lands). With a larger drift a read may be
    /// stale. A leader without a lease (after a wake, or whose followers are silent) falls back to a heartbeat round, as
    /// does a leader transferring leadership, since the target's forced election ignores leases; a forced
    /// <see cref="RaftNode.Campaign"/> elsewhere also ignores them, so do not force campaigns with lease reads on.
    /// </summary>
    public bool ReadOnlyLeaseBased { get; init; }

    public void Validate()
    {
        if (string.IsNullOrEmpty(Id)) throw new ArgumentException("Id is required.");
        if (Members.Concat(Learners).Distinct().Count() != Members.Count + Learners.Count) throw new ArgumentException("Members and Learners must be distinct.");
        if (HeartbeatTick <= 0) throw new ArgumentException("HeartbeatTick must be positive.");
        if (ElectionTick <= HeartbeatTick) throw new ArgumentException("ElectionTick must be greater than HeartbeatTick.");
        if (MaxEntriesPerMessage <= 0 || MaxInflightMessages <= 0 || MaxBytesPerMessage <= 0 || MaxCommittedEntriesPerReady <= 0 || SnapshotChunkBytes <= 0
            || MaxUncommittedEntries <= 0 || MaxUncommittedBytes <= 0 || MaxInflightSnapshotChunks <= 0)
            throw new ArgumentException("Limits must be positive.");
        if (ReadOnlyLeaseBased && !CheckQuorum)
            throw new ArgumentException("ReadOnlyLeaseBased requires CheckQuorum: without it voters do not honour the leader's lease.");
        if (SnapshotCatchUpEntries < 0) throw new ArgumentException("SnapshotCatchUpEntries must not be negative.");
    }
}
