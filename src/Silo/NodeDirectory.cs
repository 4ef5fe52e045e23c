using System.Text.Json;

namespace Orleans.Raft.Silo;

/// <summary>
/// A node's data directory records the node it belongs to, in <see cref="MarkerFileName"/>, so a node never starts on
/// another node's disk: its replicas would run as the other node's, twice in one group.
/// </summary>
public static class NodeDirectory
{
    public const string MarkerFileName = "node.json";

    private sealed record Marker(string Node, DateTimeOffset Claimed);

    /// <summary>
    /// Creates the directory and claims it for the node, or checks that the node claimed it before. Throws
    /// <see cref="SiloConfigurationException"/> when it belongs to another node or its marker is unreadable.
    /// </summary>
    public static void Claim(string directory, string node)
    {
        var path = Path.Combine(directory, MarkerFileName);
        Directory.CreateDirectory(directory);
        if (File.Exists(path))
        {
            Marker? marker;
            try
            {
                marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(path));
            }
            catch (JsonException ex)
            {
                throw new SiloConfigurationException($"the data directory {directory} has an unreadable {MarkerFileName} ({ex.Message}); it is left untouched");
            }
            if (marker?.Node != node)
                throw new SiloConfigurationException(
                    $"the data directory {directory} belongs to node '{marker?.Node}', not '{node}': start node '{marker?.Node}' on it, or give node '{node}' its own directory (--data)");
            return;
        }
        // Written to a temporary file and renamed, so a crash never leaves a half-written marker.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new Marker(node, DateTimeOffset.UtcNow)));
        File.Move(temporary, path, overwrite: true);
    }
}
