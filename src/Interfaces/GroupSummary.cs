namespace Orleans.Raft;

/// <summary>One group of a store at a glance: who leads it, where, and how far its followers trail.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupSummary
{
    [Id(0)] public required string Group { get; init; }

    /// <summary>The live leader of the newest term, or null.</summary>
    [Id(1)] public string? Leader { get; init; }

    /// <summary>The leader's node; null with no leader or a replica not pinned to a node.</summary>
    [Id(2)] public string? LeaderNode { get; init; }

    /// <summary>The leader's term, or the newest term a live replica knows when none leads; null when none is live.</summary>
    [Id(3)] public long? Term { get; init; }

    /// <summary>The leader's commit index; null with no leader.</summary>
    [Id(4)] public long? CommitIndex { get; init; }

    /// <summary>
    /// The leader's last log index minus the lowest applied index of its live followers: how far the slowest
    /// follower that answers trails. Null with no leader, or when no follower answers.
    /// </summary>
    [Id(5)] public long? Lag { get; init; }

    /// <summary>The members ("name@node", or the name alone), voters then learners, as the leader (or else each replica) knows them.</summary>
    [Id(6)] public string[] Members { get; init; } = [];

    /// <summary>The replicas that answered, out of <see cref="Members"/>.</summary>
    [Id(7)] public int Live { get; init; }

    /// <summary>Sums up the replicas' statuses of one group.</summary>
    public static GroupSummary From(string group, IReadOnlyCollection<ReplicaStatus> statuses)
    {
        var live = statuses.Where(s => s.IsLive).ToArray();
        var leader = live.Where(s => s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault();
        string[] members = leader is not null
            ? [.. leader.Members, .. leader.Learners]
            : [.. statuses.Select(s => s.Node is null ? s.Replica : $"{s.Replica}@{s.Node}")];
        long? lag = null;
        if (leader is not null)
        {
            var inConfig = members.Select(m => m.Split('@')[0]).ToHashSet(StringComparer.Ordinal);
            var followers = live.Where(s => s.Replica != leader.Replica && inConfig.Contains(s.Replica)).ToArray();
            if (followers.Length > 0) lag = Math.Max(0, leader.LastLogIndex - followers.Min(s => s.LastApplied));
        }
        return new GroupSummary
        {
            Group = group,
            Leader = leader?.Replica,
            LeaderNode = leader?.Node,
            Term = leader?.CurrentTerm ?? (live.Length > 0 ? live.Max(s => s.CurrentTerm) : null),
            CommitIndex = leader?.CommitIndex,
            Lag = lag,
            Members = members,
            Live = live.Length,
        };
    }
}
