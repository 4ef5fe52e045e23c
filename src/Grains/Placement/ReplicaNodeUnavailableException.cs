namespace Orleans.Raft.Placement;

/// <summary>A replica pinned to a node was called while that node has no active silo: it is down, as its node is.</summary>
[GenerateSerializer]
public sealed class ReplicaNodeUnavailableException : OrleansException
{
    public ReplicaNodeUnavailableException(string message) : base(message)
    {
    }
}
