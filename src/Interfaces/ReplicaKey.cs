namespace Orleans.Raft.Hosting;

/// <summary>
/// A replica grain's key is "group/member". A member is a replica's name, or "name@node" for a replica that lives on
/// one node's disk and is placed only on that node's silo. Raft knows a replica by its name alone; the node is where
/// its storage is, and is part of the group's configuration.
/// </summary>
public static class ReplicaKey
{
    public static string Format(string group, string member) => $"{group}/{member}";

    public static (string Group, string Member) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) throw new ArgumentException($"replica key '{key}' is not 'group/replica'");
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>"name@node", or the name alone for a replica not pinned to a node.</summary>
    public static string Member(string name, string? node) => node is null ? name : $"{name}@{node}";

    /// <summary>Splits a member into the replica's name and its node (null when it is not pinned to one).</summary>
    public static (string Name, string? Node) SplitMember(string member)
    {
        var at = member.IndexOf('@');
        return at < 0 ? (member, null) : (member[..at], member[(at + 1)..]);
    }

    /// <summary>The replica's name in a member.</summary>
    public static string NameOf(string member) => SplitMember(member).Name;

    /// <summary>The member of a group whose replica has this name, or null.</summary>
    public static string? FindMember(IEnumerable<string> members, string name) =>
        members.FirstOrDefault(m => NameOf(m) == name);

    /// <summary>Names of groups, replicas and nodes: letters, digits, '-', '_' and '.', so they fit keys, URLs and scripts.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>A valid name, or a valid name and a valid node joined by '@'.</summary>
    public static bool IsValidMember(string? member)
    {
        if (member is null) return false;
        var (name, node) = SplitMember(member);
        return IsValidName(name) && (node is null || IsValidName(node));
    }
}
