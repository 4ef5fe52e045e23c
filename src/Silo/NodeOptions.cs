namespace Orleans.Raft.Silo;

/// <summary>This silo as a node, bound from the "Node" section: its name and its own data directory.</summary>
public sealed class NodeOptions
{
    public const string SectionName = "Node";

    /// <summary>The node's name, stable across restarts; "n1" for instance 0, "n2" for instance 1, and so on.</summary>
    public string? Name { get; set; }

    /// <summary>The node's own data directory, on a local disk; "data/&lt;node&gt;" under the working directory by default.</summary>
    public string? DataDirectory { get; set; }

    public static string DefaultName(int instance) => $"n{instance + 1}";
}
