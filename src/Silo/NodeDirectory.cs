using System.Text.Json;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Silo;

/// <summary>
/// A node's data directory records the node it belongs to, in <see cref="MarkerFileName"/>, so a node never starts on
/// another node's disk: its replicas would run as the other node's, twice in one group. It also records the number of
/// groups the store was created with, so a node never starts with another: it would look for keys in the wrong groups.
/// </summary>
public static class NodeDirectory
{
    public const string MarkerFileName = "node.json";

    private sealed record Marker(string Node, DateTimeOffset Claimed, int? Groups = null);

    /// <summary>
    /// Creates the directory and claims it for the node with <paramref name="groups"/> groups, or checks that the node
    /// claimed it before with as many. Throws <see cref="SiloConfigurationException"/> when it belongs to another node,
    /// was created with another number of groups, or its marker is unreadable.
    /// </summary>
    public static void Claim(string directory, string node, int groups)
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
            // A marker written before groups were recorded: the store then had one group, if this node stored anything.
            var recorded = marker.Groups ?? (File.Exists(Path.Combine(directory, SqliteRaftStorageOptions.DatabaseFileName)) ? 1 : groups);
            if (recorded != groups)
            {
                throw new SiloConfigurationException(
                    $"node '{node}' (data directory {directory}) belongs to a cluster created with {recorded} group{(recorded == 1 ? "" : "s")}, not {groups}: " +
                    $"the number of groups decides which group holds each key, so it is fixed when a cluster is created. Start the node with --groups {recorded}");
            }
            if (marker.Groups is null) Write(path, marker with { Groups = recorded });
            return;
        }
        Write(path, new Marker(node, DateTimeOffset.UtcNow, groups));
    }

    /// <summary>Written to a temporary file and renamed, so a crash never leaves a half-written marker.</summary>
    private static void Write(string path, Marker marker)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(marker));
        File.Move(temporary, path, overwrite: true);
    }
}
