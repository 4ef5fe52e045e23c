using System.Globalization;

namespace Orleans.Raft.Bench;

/// <summary>The keys and 256-byte values the closed-loop clients use, the same for every system measured.</summary>
internal static class BenchValues
{
    public const int ValueBytes = 256;

    /// <summary>The keys that sets and gets pick from at random, all set before the first cell.</summary>
    public const int Keys = 1024;

    public static string Key(int i) => $"bench-key-{i.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>Each compare-and-set client's own key, so that its compares hold.</summary>
    public static string CasKey(int client) => $"bench-cas-{client.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>A 256-byte ASCII value that starts with n, so that each compare-and-set writes a new one.</summary>
    public static string Value(long n) => n.ToString("D20", CultureInfo.InvariantCulture).PadRight(ValueBytes, 'v');
}
