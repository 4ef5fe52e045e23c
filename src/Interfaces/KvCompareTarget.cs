namespace Orleans.Raft;

/// <summary>What a transaction's compare looks at.</summary>
[GenerateSerializer]
public enum KvCompareTarget
{
    Value,
    Version,
    CreateRevision,
    ModRevision,
    Lease,
}
