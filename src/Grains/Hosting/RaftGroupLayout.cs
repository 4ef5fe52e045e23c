using Microsoft.Extensions.Options;

namespace Orleans.Raft.Hosting;

/// <summary>
/// The configured group's members, computed the same way on every node from the options alone: which replicas it has,
/// and which node holds each.
/// </summary>
public sealed class RaftGroupLayout(IOptions<RaftOptions> options, IOptions<RaftNodeOptions> node)
{
    /// <summary>The configured group's members: "name@node" on nodes, bare names on a silo that is no node.</summary>
    public string[] ConfiguredMembers { get; } = Assign(options.Value.Replicas, node.Value.InitialNodes, node.Value.Name);

    /// <summary>This silo's node, or null.</summary>
    public string? LocalNode => node.Value.Name;

    /// <summary>
    /// Assigns a group's replicas to nodes: the i-th replica goes to the node at position i (modulo the count) of the
    /// initial nodes, so no node holds two while there are nodes enough. Unless named, there is one replica per node, or
    /// <see cref="RaftOptions.DefaultReplicas"/> on a lone node (a development cluster, whose fault demos want five).
    /// No initial nodes means the local node alone; a silo that is no node gets replicas pinned nowhere.
    /// </summary>
    public static string[] Assign(string[] replicas, string[] initialNodes, string? localNode)
    {
        if (initialNodes.Length == 0) initialNodes = localNode is null ? [] : [localNode];
        var names = replicas.Length > 0 ? replicas
            : initialNodes.Length <= 1 ? RaftOptions.DefaultReplicas
            : [.. Enumerable.Range(1, initialNodes.Length).Select(i => $"r{i}")];
        if (initialNodes.Length == 0) return [.. names];
        return [.. names.Select((r, i) => ReplicaKey.Member(r, initialNodes[i % initialNodes.Length]))];
    }
}
