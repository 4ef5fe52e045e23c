namespace Orleans.Raft.Consensus;

public enum ConfigChangeType : byte
{
    /// <summary>Adds a non-voting member that receives the log.</summary>
    AddLearner,

    /// <summary>Adds a voting member at once (prefer a learner, promoted once caught up).</summary>
    AddVoter,

    /// <summary>Makes a learner a voter.</summary>
    PromoteLearner,

    /// <summary>Removes a voter or a learner.</summary>
    Remove,
}
