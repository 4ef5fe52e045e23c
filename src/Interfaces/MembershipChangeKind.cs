namespace Orleans.Raft;

/// <summary>One single-server membership change, as a replica grain takes it.</summary>
[GenerateSerializer]
public enum MembershipChangeKind
{
    AddLearner,
    PromoteLearner,
    Remove,
}
