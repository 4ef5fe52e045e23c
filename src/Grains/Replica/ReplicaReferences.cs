using Orleans.Raft.Hosting;

namespace Orleans.Raft.Replica;

/// <summary>
/// Grain references to replicas, made once per name: <c>GetGrain</c> resolves the interface type and builds a proxy on
/// every call, which showed as a few percent of a node's CPU when done per Raft message and per request.
/// </summary>
internal sealed class ReplicaReferences(IGrainFactory grains, string? group)
{
    private readonly Dictionary<string, IRaftReplicaGrain> _byName = new(StringComparer.Ordinal);

    /// <summary>
    /// The replica grain for a member of the group this was made for, or, with no group, for a whole replica key
    /// (<see cref="ReplicaKey.Format(string, string)"/>).
    /// </summary>
    public IRaftReplicaGrain Get(string name)
    {
        if (!_byName.TryGetValue(name, out var grain))
        {
            grain = grains.GetGrain<IRaftReplicaGrain>(group is null ? name : ReplicaKey.Format(group, name));
            _byName[name] = grain;
        }
        return grain;
    }
}
