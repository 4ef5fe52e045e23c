using Orleans.Runtime;

namespace Orleans.Raft.Placement;

/// <summary>
/// Where a replica runs. A replica pinned to a node ("name@node") runs only on that node's silo, where its disk is, and
/// nowhere while the node is down. A replica not pinned (tests and in-process demos, whose storage every silo sees) is
/// spread: the i-th member, in name order, goes to the silo at position (i + offset) among the compatible silos.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class RaftReplicaPlacement : PlacementStrategy
{
    public static readonly RaftReplicaPlacement Instance = new();
}
