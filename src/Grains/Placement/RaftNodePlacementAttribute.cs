using Orleans.Placement;

namespace Orleans.Raft.Placement;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RaftNodePlacementAttribute() : PlacementAttribute(RaftNodePlacement.Instance);
