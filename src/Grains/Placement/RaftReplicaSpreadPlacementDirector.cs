using Orleans.Placement;
using Orleans.Raft.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Raft.Placement;

public sealed class RaftReplicaSpreadPlacementDirector(IGrainFactory grainFactory) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        // Order silos the same way on every silo, so every director makes the same choice.
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.Endpoint.ToString(), StringComparer.Ordinal).ThenBy(s => s.Generation).ToArray();
        if (silos.Length == 0) throw new OrleansException($"no silo can host {target.GrainIdentity}");
        var (group, replica) = ReplicaKey.Parse(target.GrainIdentity.Key.ToString()!);

        string[] members;
        try
        {
            members = await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers();
        }
        catch (Exception)
        {
            members = [];
        }
        return silos[SlotFor(group, replica, members, silos.Length)];
    }

    /// <summary>The index of the silo for a replica, given the group's members and the number of silos.</summary>
    public static int SlotFor(string group, string replica, string[] members, int siloCount)
    {
        var ordered = members.Order(StringComparer.Ordinal).ToArray();
        var index = Array.IndexOf(ordered, replica);
        if (index < 0) index = (int)(StableHash(replica) % (uint)siloCount);
        // Groups start at different silos so that many small groups do not all pile onto the first one.
        var offset = (int)(StableHash(group) % (uint)siloCount);
        return (index + offset) % siloCount;
    }

    private static uint StableHash(string s)
    {
        // FNV-1a: string.GetHashCode differs between processes.
        var hash = 2166136261u;
        foreach (var c in s) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
