namespace Orleans.Raft;

[GenerateSerializer]
public enum KvCompareOperator
{
    Equal,
    NotEqual,
    Less,
    Greater,
}
