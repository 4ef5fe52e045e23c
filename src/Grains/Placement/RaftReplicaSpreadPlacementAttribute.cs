using Orleans.Placement;
using Orleans.Raft.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Raft.Placement;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RaftReplicaSpreadPlacementAttribute() : PlacementAttribute(RaftReplicaSpreadPlacement.Instance);
