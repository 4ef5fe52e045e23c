namespace Orleans.Raft.StateMachine;

/// <summary>
/// One operation of a transaction's branch. RangeEnd null means the single key; "\0" means every key from Key on
/// (etcd's convention). PrevKv asks a put or delete for the entries it replaced.
/// </summary>
public sealed record TxnOp(
    TxnOpType Type, string Key, string? RangeEnd = null, string? Value = null, long Lease = 0, long Limit = 0, bool KeysOnly = false, bool PrevKv = false)
{
    public static TxnOp Put(string key, string value, long lease = 0, bool prevKv = false) => new(TxnOpType.Put, key, Value: value, Lease: lease, PrevKv: prevKv);

    public static TxnOp Delete(string key, string? rangeEnd = null, bool prevKv = false) => new(TxnOpType.Delete, key, rangeEnd, PrevKv: prevKv);

    public static TxnOp Range(string key, string? rangeEnd = null, long limit = 0, bool keysOnly = false) =>
        new(TxnOpType.Range, key, rangeEnd, Limit: limit, KeysOnly: keysOnly);
}
