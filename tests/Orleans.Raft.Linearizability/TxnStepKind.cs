namespace Orleans.Raft.Linearizability;

public enum TxnStepKind
{
    Get,
    Put,
    Delete,
}
