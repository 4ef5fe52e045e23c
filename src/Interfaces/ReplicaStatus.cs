namespace Orleans.Raft;

/// <summary>One replica as an operator sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaStatus
{
    [Id(0)] public required string Group { get; init; }
    [Id(1)] public required string Replica { get; init; }
    [Id(2)] public string? Silo { get; init; }
    [Id(3)] public bool Running { get; init; }
    [Id(4)] public ReplicaRole Role { get; init; } = ReplicaRole.Stopped;
    [Id(5)] public long CurrentTerm { get; init; }
    [Id(6)] public string? LeaderId { get; init; }
    [Id(7)] public string? VotedFor { get; init; }
    [Id(8)] public long CommitIndex { get; init; }
    [Id(9)] public long LastApplied { get; init; }
    [Id(10)] public long LastLogIndex { get; init; }
    [Id(11)] public long LastLogTerm { get; init; }
    [Id(12)] public string[] Members { get; init; } = [];
    [Id(13)] public string? Error { get; init; }

    /// <summary>The index of the latest snapshot: log entries up to it are compacted away.</summary>
    [Id(14)] public long SnapshotIndex { get; init; }

    /// <summary>The replica has stored state (it was created once); false for a replica that never ran here.</summary>
    [Id(15)] public bool HasStoredState { get; init; }

    /// <summary>Client requests waiting at this replica for their entry to apply.</summary>
    [Id(16)] public int PendingRequests { get; init; }
    /// <summary>
    /// Stored state, but never past creation: term 0, no vote, an empty log. Losing such a replica's state loses
    /// nothing, which is what lets an interrupted group creation be completed.
    /// </summary>
    [Id(17)] public bool NeverProgressed { get; init; }

    /// <summary>The node whose disk holds this replica; null for a replica not pinned to a node.</summary>
    [Id(18)] public string? Node { get; init; }

    /// <summary>This replica's place in the configuration it knows.</summary>
    [Id(19)] public MemberRole Membership { get; init; }

    /// <summary>The learners of the configuration it knows ("name@node"); <see cref="Members"/> holds the voters.</summary>
    [Id(20)] public string[] Learners { get; init; } = [];

    /// <summary>Leader only: a membership change is proposed and not yet committed.</summary>
    [Id(21)] public bool ConfigChangePending { get; init; }

    /// <summary>Leader only: the replica it is handing leadership to, if any.</summary>
    [Id(22)] public string? LeadTransferee { get; init; }

    /// <summary>The group's bootstrap configuration as this replica stored it ("name@node"): what a joining replica is given.</summary>
    [Id(23)] public string[] BootstrapMembers { get; init; } = [];

    /// <summary>Leader only: the members' nodes with no active silo, and how long this leader has seen each so.</summary>
    [Id(24)] public Dictionary<string, TimeSpan> DeadNodes { get; init; } = [];

    /// <summary>
    /// The replicas this replica's applied state records as removed from the group, for good ("name@node"): a message
    /// from one of them is answered with a removed notice, and it retires.
    /// </summary>
    [Id(25)] public string[] RemovedReplicas { get; init; } = [];

    /// <summary>Quiesced: the group is idle and this replica has stopped its election and heartbeat timers.</summary>
    [Id(30)] public bool Quiesced { get; init; }

    /// <summary>Its tick timer runs: false for a quiesced or stopped replica.</summary>
    [Id(31)] public bool Ticking { get; init; }

    /// <summary>Leader only: each peer's replication progress, by replica name; empty on any other replica.</summary>
    [Id(40)] public PeerProgress[] Peers { get; init; } = [];

    /// <summary>Running and answering: only then are its numbers current; a stopped or unreachable replica's are stale.</summary>
    public bool IsLive => Running && Error is null;
}
