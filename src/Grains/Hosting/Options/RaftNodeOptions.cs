namespace Orleans.Raft.Hosting;

/// <summary>
/// This silo as a node: a name, stable across restarts, for the machine and disk the silo runs on. Replicas pinned to a
/// node ("name@node") run only on the silo of that node. Bound from "Node:Name" and "Cluster:InitialNodes".
/// </summary>
public sealed class RaftNodeOptions
{
    public const string NodeSectionName = "Node";
    public const string ClusterSectionName = "Cluster";

    /// <summary>This silo's node; null for a silo that is no node (it hosts only replicas not pinned to a node).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The nodes of a new cluster, the same list on every node (etcd's --initial-cluster). Every node computes from it the
    /// same assignment of the configured group's replicas to nodes, and creates only its own. Empty: a lone development
    /// node, which holds every replica of the group itself.
    /// </summary>
    public string[] InitialNodes { get; set; } = [];

    /// <summary>Reads a list given as an array or as one comma-separated string (as --initial-nodes n1,n2,n3 gives).</summary>
    public static string[] ParseList(IEnumerable<string?> values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
}
