using Orleans.Placement;
using Orleans.Raft.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Raft.Placement;

/// <summary>
/// Spreads the replicas of a group over the silos: the i-th member (in name order) goes to the silo at position
/// (i + offset) among the compatible silos, so no two replicas share a silo while there are silos enough, and a
/// silo failure takes out as few replicas of one group as possible.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class RaftReplicaSpreadPlacement : PlacementStrategy
{
    public static readonly RaftReplicaSpreadPlacement Instance = new();
}
