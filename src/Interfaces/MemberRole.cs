namespace Orleans.Raft;

/// <summary>A replica's place in its group's configuration; JSON shows the name.</summary>
[GenerateSerializer]
public enum MemberRole
{
    /// <summary>Not in the configuration this replica knows: not running, or removed.</summary>
    None,

    /// <summary>Votes and counts toward commit.</summary>
    Voter,

    /// <summary>Receives the log but neither votes nor counts; promoted once caught up.</summary>
    Learner,
}
