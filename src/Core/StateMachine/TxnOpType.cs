namespace Orleans.Raft.StateMachine;

public enum TxnOpType : byte
{
    /// <summary>Writes Value at Key, attached to Lease (0 detaches it).</summary>
    Put = 0,

    /// <summary>Deletes Key, or every key in [Key, RangeEnd).</summary>
    Delete = 1,

    /// <summary>Reads Key, or the keys in [Key, RangeEnd), at most Limit of them (0: no limit).</summary>
    Range = 2,
}
