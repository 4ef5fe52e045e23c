namespace Orleans.Raft.Hosting;

/// <summary>What a replica on this silo saw change (see <see cref="ReplicaEvents"/>).</summary>
public enum ReplicaEventKind
{
    /// <summary>The group's leader, as this replica knows it, changed (Leader null: none known now).</summary>
    LeaderChanged,

    /// <summary>The group's configuration (voters and learners) changed in this replica's log.</summary>
    ConfigurationChanged,

    /// <summary>The replica started on this silo.</summary>
    Started,

    /// <summary>The replica stopped on this silo (Detail says why).</summary>
    Stopped,
}
