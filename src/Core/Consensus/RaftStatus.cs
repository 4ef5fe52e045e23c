namespace Orleans.Raft.Consensus;

/// <summary>An immutable copy of a node's state (after etcd-io/raft's Status): what a shell reports and tests check.</summary>
public sealed record RaftStatus
{
    public required string Id { get; init; }
    public required RaftRole Role { get; init; }
    public required long Term { get; init; }
    public required string? VotedFor { get; init; }
    public required string? LeaderId { get; init; }
    public required long CommitIndex { get; init; }

    /// <summary>The last index applied (or covered by a restored snapshot).</summary>
    public required long Applied { get; init; }

    public required long FirstIndex { get; init; }
    public required long LastIndex { get; init; }
    public required long LastTerm { get; init; }
    public required long SnapshotIndex { get; init; }
    public required long SnapshotTerm { get; init; }

    /// <summary>Commands this leader proposed in its term that have not committed yet (0 unless leader).</summary>
    public required int UncommittedEntries { get; init; }

    /// <summary>The payload bytes of <see cref="UncommittedEntries"/>.</summary>
    public required long UncommittedBytes { get; init; }

    /// <summary>The leader's view of each follower (empty unless leader).</summary>
    public required IReadOnlyDictionary<string, ProgressStatus> Progress { get; init; }
}
