namespace Orleans.Raft.Consensus;

/// <summary>
/// What the shell must do, in order: send LeaderMessages, persist Snapshot, HardState and Entries, then send Messages,
/// then restore the state machine from Snapshot (if any) and apply CommittedEntries; then call
/// <see cref="RaftNode.Advance"/>.
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

    /// <summary>
    /// A leader's appends, snapshots, heartbeats, TimeoutNow and read-index answers: send them at once, while the state
    /// above is being persisted (Raft thesis §10.2.1). The leader counts its own entries toward a commit only after
    /// <see cref="RaftNode.Advance"/>. Sending them after persisting, with <see cref="Messages"/>, is also correct.
    /// </summary>
    public IReadOnlyList<RaftMessage> LeaderMessages { get; init; } = [];

    /// <summary>Committed entries to apply to the state machine, in order.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; init; } = [];

    /// <summary>
    /// Reads released by <see cref="RaftNode.ReadIndex"/>: answer each once the state machine has applied its Index
    /// (this Ready's CommittedEntries may already reach it).
    /// </summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>
    /// Contexts of reads that will never be released: this leader stepped down with them pending, or the leader refused
    /// a read this follower forwarded. Fail them at once (the client may retry at the new leader). A forwarded read
    /// lost with its leader never comes out here: the shell's request timeout ends it.
    /// </summary>
    public IReadOnlyList<byte[]> DroppedReads { get; init; } = [];

    internal long LastEntryIndex { get; init; }

    public bool MustPersist => HardState is not null || Entries.Count > 0 || Snapshot is not null;
}
