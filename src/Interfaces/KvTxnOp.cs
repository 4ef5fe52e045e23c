namespace Orleans.Raft;

/// <summary>
/// One operation of a transaction's branch. RangeEnd null is the key alone; see <see cref="KeyRange"/> for prefixes and
/// for every key from Key on. PrevKv asks a put or delete for the entries it replaced.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvTxnOp(
    [property: Id(0)] KvTxnOpType Type,
    [property: Id(1)] string Key,
    [property: Id(2)] string? RangeEnd = null,
    [property: Id(3)] string? Value = null,
    [property: Id(4)] long Lease = 0,
    [property: Id(5)] long Limit = 0,
    [property: Id(6)] bool KeysOnly = false,
    [property: Id(7)] bool PrevKv = false)
{
    public static KvTxnOp Put(string key, string value, long lease = 0, bool prevKv = false) => new(KvTxnOpType.Put, key, Value: value, Lease: lease, PrevKv: prevKv);

    public static KvTxnOp Delete(string key, string? rangeEnd = null, bool prevKv = false) => new(KvTxnOpType.Delete, key, rangeEnd, PrevKv: prevKv);

    public static KvTxnOp Get(string key, string? rangeEnd = null, long limit = 0, bool keysOnly = false) =>
        new(KvTxnOpType.Range, key, rangeEnd, Limit: limit, KeysOnly: keysOnly);
}
