using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Text;

namespace Orleans.Raft;

/// <summary>
/// Which Raft group of a store holds a key. The store's key space is split over <see cref="Count"/> groups by a stable
/// hash of the key's UTF-8 bytes (XxHash64, seed 0) modulo the count: the same in every process, machine and version.
/// One group is named as the store itself ("default"); several are "{store}-0" .. "{store}-{Count-1}".
/// </summary>
/// <remarks>
/// A hash tag, as in Redis Cluster, keeps keys together: when a key holds a '{' and, after it, a '}' with at least one
/// character between them, only the characters between the first '{' and the first '}' after it are hashed. So
/// "{user42}.name" and "{user42}.mail" are in one group, while "{}x" and "a{b" hash whole.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record ShardMap
{
    [SetsRequiredMembers]
    public ShardMap(string store, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Store = store;
        Count = count;
    }

    /// <summary>The store's name (Raft:Group), which clients address.</summary>
    [Id(0)] public string Store { get; private init; }

    /// <summary>The number of groups, fixed when the cluster was created.</summary>
    [Id(1)] public int Count { get; private init; }

    /// <summary>Every group's name, in index order.</summary>
    public IReadOnlyList<string> Groups => [.. Enumerable.Range(0, Count).Select(GroupName)];

    /// <summary>The name of the group at <paramref name="index"/>: the store itself when there is one group.</summary>
    public string GroupName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Count == 1 ? Store : $"{Store}-{index}";
    }

    /// <summary>The index of the group that holds <paramref name="key"/>.</summary>
    public int GroupIndexOf(string key) => (int)(Hash(key) % (ulong)Count);

    /// <summary>The name of the group that holds <paramref name="key"/>.</summary>
    public string GroupOf(string key) => GroupName(GroupIndexOf(key));

    /// <summary>True when <paramref name="group"/> is one of this store's groups.</summary>
    public bool Contains(string group) => IndexOf(group) >= 0;

    /// <summary>The index of a group of this store, or -1.</summary>
    public int IndexOf(string group)
    {
        if (Count == 1) return group == Store ? 0 : -1;
        if (!group.StartsWith(Store + "-", StringComparison.Ordinal)) return -1;
        var suffix = group.AsSpan(Store.Length + 1);
        // Digits only, no leading zero: "default-03" is not group 3.
        if (suffix.Length == 0 || (suffix.Length > 1 && suffix[0] == '0') || suffix.ContainsAnyExceptInRange('0', '9')) return -1;
        return int.TryParse(suffix, out var index) && index < Count ? index : -1;
    }

    /// <summary>The 64-bit hash a key is placed by: XxHash64 of the UTF-8 bytes of <see cref="HashedPart"/>.</summary>
    public static ulong Hash(string key) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(HashedPart(key)));

    /// <summary>The part of a key that is hashed: the hash tag's inside if it has one, else the whole key.</summary>
    public static string HashedPart(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0) return key;
        var close = key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : key;
    }
}
