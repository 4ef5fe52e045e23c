using Orleans.Raft.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Raft.Placement;

public sealed class RaftReplicaPlacementDirector(IGrainFactory grainFactory, RaftNodeLocator nodes) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var (group, member) = ReplicaKey.Parse(target.GrainIdentity.Key.ToString()!);
        var (replica, node) = ReplicaKey.SplitMember(member);
        var silos = context.GetCompatibleSilos(target);
        if (node is not null)
        {
            // Never anywhere else: a replica started away from its disk would run with amnesia.
            var home = nodes.Find(node);
            if (home is not null && silos.Contains(home)) return home;
            throw new ReplicaNodeUnavailableException($"replica {replica} of group {group} lives on node {node}, which is down; it comes back when node {node} restarts");
        }

        // Order silos the same way on every silo, so every director makes the same choice.
        var ordered = silos.OrderBy(s => s.Endpoint.ToString(), StringComparer.Ordinal).ThenBy(s => s.Generation).ToArray();
        if (ordered.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        string[] members;
        try
        {
            members = await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers();
        }
        catch (Exception)
        {
            members = [];
        }
        return ordered[SlotFor(group, replica, [.. members.Select(ReplicaKey.NameOf)], ordered.Length)];
    }

    /// <summary>The index of the silo for a replica not pinned to a node, given the group's members and the number of silos.</summary>
    public static int SlotFor(string group, string replica, string[] members, int siloCount)
    {
        var ordered = members.Order(StringComparer.Ordinal).ToArray();
        var index = Array.IndexOf(ordered, replica);
        if (index < 0) index = (int)(StableHash(replica) % (uint)siloCount);
        // Groups start at different silos so that many small groups do not all pile onto the first one.
        var offset = (int)(StableHash(group) % (uint)siloCount);
        return (index + offset) % siloCount;
    }

    /// <summary>FNV-1a: string.GetHashCode differs between processes.</summary>
    public static uint StableHash(string s)
    {
        var hash = 2166136261u;
        foreach (var c in s) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
