using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Raft.Placement;

/// <summary>The node's own silo, found by the node's name in the membership as for a pinned replica.</summary>
public sealed class RaftNodePlacementDirector(RaftNodeLocator nodes) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var node = target.GrainIdentity.Key.ToString()!;
        var home = nodes.Find(node);
        if (home is not null && context.GetCompatibleSilos(target).Contains(home)) return Task.FromResult(home);
        throw new ReplicaNodeUnavailableException($"node {node} is down: {target.GrainIdentity.Type} {node} runs only on its silo");
    }
}
