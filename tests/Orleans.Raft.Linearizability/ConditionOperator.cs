namespace Orleans.Raft.Linearizability;

public enum ConditionOperator
{
    Equal,
    NotEqual,
    Less,
    Greater,
}
