namespace Orleans.Raft.Linearizability;

/// <summary>One operation of a transaction's branch, on one key.</summary>
public sealed record TxnStep(TxnStepKind Kind, string Key, string? Value = null)
{
    public static TxnStep Get(string key) => new(TxnStepKind.Get, key);

    public static TxnStep Put(string key, string value) => new(TxnStepKind.Put, key, value);

    public static TxnStep Delete(string key) => new(TxnStepKind.Delete, key);

    public override string ToString() => Kind switch
    {
        TxnStepKind.Get => $"get {Key}",
        TxnStepKind.Put => $"put {Key} {HistoryOp.Show(Value)}",
        _ => $"delete {Key}",
    };
}
