namespace Orleans.Raft;

/// <summary>etcd's If/Then/Else: when every compare holds, Success runs, else Failure; atomically, in one group, at one revision.</summary>
[GenerateSerializer, Immutable]
public sealed record KvTxn(
    [property: Id(0)] KvCompare[] Compares,
    [property: Id(1)] KvTxnOp[] Success,
    [property: Id(2)] KvTxnOp[] Failure)
{
    /// <summary>Every key the transaction names: they must all be in one group.</summary>
    public IEnumerable<string> Keys =>
        Compares.Select(c => c.Key).Concat(Success.Concat(Failure).Select(o => o.Key)).Distinct(StringComparer.Ordinal);
}
