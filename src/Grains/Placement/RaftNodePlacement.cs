namespace Orleans.Raft.Placement;

/// <summary>Places a grain keyed by a node's name on that node's silo, and nowhere while the node is down.</summary>
[GenerateSerializer, Immutable]
public sealed class RaftNodePlacement : PlacementStrategy
{
    public static readonly RaftNodePlacement Instance = new();
}
