using Orleans.Runtime;

namespace Orleans.Raft.Placement;

/// <summary>
/// Finds the silo of a node from the cluster membership, where each silo is listed under its name (the node's name).
/// The membership table is what every silo already agrees on, so no lookup elsewhere can lag behind it or fail.
/// </summary>
public sealed class RaftNodeLocator(IClusterMembershipService membership)
{
    /// <summary>The active silo of the node (the newest, when a restarted node's old silo is not yet declared dead), or null.</summary>
    public SiloAddress? Find(string node)
    {
        SiloAddress? found = null;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || member.Name != node) continue;
            if (found is null || member.SiloAddress.Generation > found.Generation) found = member.SiloAddress;
        }
        return found;
    }

    public bool IsUp(string node) => Find(node) is not null;

    /// <summary>The names of the nodes whose silo is active, in order.</summary>
    public IReadOnlyList<string> ActiveNodes() => [.. membership.CurrentSnapshot.Members.Values
        .Where(m => m.Status == SiloStatus.Active && !string.IsNullOrEmpty(m.Name))
        .Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
