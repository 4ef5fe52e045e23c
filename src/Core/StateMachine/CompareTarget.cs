namespace Orleans.Raft.StateMachine;

/// <summary>What a transaction's compare looks at, as etcd's Compare.target.</summary>
public enum CompareTarget : byte
{
    Value = 0,
    Version = 1,
    CreateRevision = 2,
    ModRevision = 3,
    Lease = 4,
}
