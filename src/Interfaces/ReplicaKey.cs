namespace Orleans.Raft.Hosting;

/// <summary>A replica grain's key is "group/replica".</summary>
public static class ReplicaKey
{
    public static string Format(string group, string replica) => $"{group}/{replica}";

    public static (string Group, string Replica) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) throw new ArgumentException($"replica key '{key}' is not 'group/replica'");
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Names of groups and replicas: letters, digits, '-', '_' and '.', so they fit keys, URLs and scripts.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
