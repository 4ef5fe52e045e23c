using Microsoft.Extensions.Options;

namespace Orleans.Raft.Hosting;

/// <summary>
/// The store's groups and each group's members, computed the same way on every node from the options alone: how many
/// groups, which replicas each has, and which node holds each.
/// </summary>
public sealed class RaftGroupLayout
{
    private readonly Dictionary<string, string[]> _members = new(StringComparer.Ordinal);

    public RaftGroupLayout(IOptions<RaftOptions> options, IOptions<RaftNodeOptions> node)
    {
        var o = options.Value;
        var n = node.Value;
        LocalNode = n.Name;
        Nodes = n.InitialNodes.Length > 0 ? n.InitialNodes : n.Name is null ? [] : [n.Name];
        // Bad settings are the options validator's to report; until it has, the layout stays well defined.
        Shards = new ShardMap(string.IsNullOrEmpty(o.Group) ? "default" : o.Group, Math.Max(1, GroupCount(o.Groups, n.InitialNodes)));
        ReplicationFactor = Math.Max(1, EffectiveReplicationFactor(o, Nodes));
        for (var i = 0; i < Shards.Count; i++) _members[Shards.GroupName(i)] = Assign(o.Replicas, Nodes, i, ReplicationFactor);
    }

    /// <summary>The store's groups and how keys map to them.</summary>
    public ShardMap Shards { get; }

    /// <summary>The store's name (Raft:Group).</summary>
    public string Store => Shards.Store;

    /// <summary>The store's groups, in index order.</summary>
    public IReadOnlyList<string> Groups => Shards.Groups;

    /// <summary>True when the store is split over several groups, so its name is no group's.</summary>
    public bool IsSharded => Shards.Count > 1;

    /// <summary>The nodes replicas are assigned to: the initial nodes, or this node alone, or none.</summary>
    public string[] Nodes { get; }

    /// <summary>Replicas per group.</summary>
    public int ReplicationFactor { get; }

    /// <summary>This silo's node, or null.</summary>
    public string? LocalNode { get; }

    /// <summary>A store group's configured members ("name@node" on nodes, bare names on a silo that is no node); empty for any other group.</summary>
    public string[] MembersOf(string group) => _members.GetValueOrDefault(group) ?? [];

    /// <summary>
    /// The number of groups: as configured, or 1 on a lone node (or a silo that is no node) and
    /// <see cref="RaftOptions.DefaultGroupsPerNode"/> per initial node in a cluster.
    /// </summary>
    public static int GroupCount(int? configured, string[] initialNodes) =>
        configured ?? (initialNodes.Length >= 2 ? RaftOptions.DefaultGroupsPerNode * initialNodes.Length : 1);

    /// <summary>Replicas per group: the named replicas, the configured factor, or the default for the nodes at hand.</summary>
    public static int EffectiveReplicationFactor(RaftOptions o, string[] nodes) =>
        o.Replicas.Length > 0 ? o.Replicas.Length
        : o.ReplicationFactor ?? (nodes.Length <= 1 ? RaftOptions.DefaultReplicas.Length : Math.Min(RaftOptions.DefaultReplicationFactor, nodes.Length));

    /// <summary>
    /// Assigns the replicas of group <paramref name="groupIndex"/> to nodes, round-robin from node (index mod N): replica
    /// j goes to node (index + j) mod N, so no node holds two while there are nodes enough, each node holds about as
    /// many replicas as the others, and each group's first replica (its preferred leader) is on a different node than
    /// the next group's. Replicas are named as configured or r1..rRF. No nodes: replicas pinned nowhere.
    /// </summary>
    public static string[] Assign(string[] replicas, string[] nodes, int groupIndex, int replicationFactor)
    {
        var names = replicas.Length > 0 ? replicas : [.. Enumerable.Range(1, replicationFactor).Select(i => $"r{i}")];
        if (nodes.Length == 0) return [.. names];
        return [.. names.Select((r, j) => ReplicaKey.Member(r, nodes[(groupIndex + j) % nodes.Length]))];
    }

    /// <summary>The error for an operation that needs one group, asked of a store split over several.</summary>
    public string NotAGroup(string operation) => NotAGroup(Shards, operation);

    /// <inheritdoc cref="NotAGroup(string)"/>
    public static string NotAGroup(ShardMap shards, string operation) =>
        $"'{shards.Store}' is a store of {shards.Count} groups ({shards.GroupName(0)} … {shards.GroupName(shards.Count - 1)}), and {operation} acts on one group: " +
        $"name it (--group {shards.GroupName(0)} on the client, ?group={shards.GroupName(0)} in the HTTP API); 'status' lists the groups" +
        (operation.StartsWith("node drain", StringComparison.Ordinal) ? "; without --group, node drain drains every group" : "");
}
