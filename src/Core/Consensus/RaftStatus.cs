namespace Orleans.Raft.Consensus;

/// <summary>An immutable copy of a node's state (after etcd-io/raft's Status): what a shell reports and tests check.</summary>
/// <param name="Applied">The last index applied (or covered by a restored snapshot).</param>
/// <param name="UncommittedEntries">Commands this leader proposed in its term that have not committed yet (0 unless leader).</param>
/// <param name="UncommittedBytes">The payload bytes of <paramref name="UncommittedEntries"/>.</param>
/// <param name="Members">The voters of the configuration in force.</param>
/// <param name="Progress">The leader's view of each follower and learner (empty unless leader).</param>
public sealed record RaftStatus(
    string Id,
    IReadOnlyList<string> Members,
    RaftRole Role, string? LeaderId,
    long Term, string? VotedFor, long CommitIndex, long Applied,
    long FirstIndex, long LastIndex, long LastTerm, long SnapshotIndex, long SnapshotTerm,
    int UncommittedEntries, long UncommittedBytes,
    IReadOnlyDictionary<string, ProgressStatus> Progress)
{
    /// <summary>The configuration in force: voters and learners, each with its node.</summary>
    public GroupConfiguration Configuration { get; init; } = GroupConfiguration.Empty;

    /// <summary>The index of the latest configuration change this leader proposed (0 unless leader).</summary>
    public long PendingConfigIndex { get; init; }

    /// <summary>The replica this leader is handing leadership to, if a transfer is in progress.</summary>
    public string? LeadTransferee { get; init; }
}
