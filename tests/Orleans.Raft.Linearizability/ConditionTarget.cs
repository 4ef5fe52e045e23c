namespace Orleans.Raft.Linearizability;

public enum ConditionTarget
{
    Value,
    Version,
    CreateRevision,
    ModRevision,
}
