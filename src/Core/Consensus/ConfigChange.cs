namespace Orleans.Raft.Consensus;

/// <summary>One single-server membership change; Node is used only when adding.</summary>
public sealed record ConfigChange(ConfigChangeType Type, string Id, string Node = "")
{
    public static ConfigChange AddLearner(string id, string node = "") => new(ConfigChangeType.AddLearner, id, node);

    public static ConfigChange AddVoter(string id, string node = "") => new(ConfigChangeType.AddVoter, id, node);

    public static ConfigChange Promote(string id) => new(ConfigChangeType.PromoteLearner, id);

    public static ConfigChange Remove(string id) => new(ConfigChangeType.Remove, id);
}
