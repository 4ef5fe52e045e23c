namespace Orleans.Raft;

[GenerateSerializer]
public enum KvTxnOpType
{
    Put,
    Delete,
    Range,
}
