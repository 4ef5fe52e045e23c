using System.Globalization;
using System.Text.RegularExpressions;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// The gets separate nodes answered, by read path, from each node's <c>/metrics</c> (<c>raft_reads_total</c>). A node's
/// counters start again at each restart, so a node's count is banked just before the nemesis kills it.
/// </summary>
public sealed partial class NodeReadCounts : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Dictionary<string, long> _banked = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Whether some node's count could not be read (it was paused or had died): the counts are then a lower bound.</summary>
    public bool Partial { get; private set; }

    /// <summary>Adds what a node counted since its start; called just before it is killed.</summary>
    public async Task BankAsync(SiloProcess node)
    {
        var counts = await ReadAsync(node);
        lock (_lock)
        {
            if (counts is null) Partial = true;
            else Add(_banked, counts);
        }
    }

    /// <summary>The banked counts plus what every node counted since its last start.</summary>
    public async Task<IReadOnlyDictionary<string, long>> TotalAsync(IEnumerable<SiloProcess> nodes)
    {
        var now = await Task.WhenAll(nodes.Select(ReadAsync));
        lock (_lock)
        {
            var total = new Dictionary<string, long>(_banked, StringComparer.Ordinal);
            foreach (var counts in now)
            {
                if (counts is null) Partial = true;
                else Add(total, counts);
            }
            return total;
        }
    }

    private async Task<IReadOnlyDictionary<string, long>?> ReadAsync(SiloProcess node)
    {
        if (node.HasExited) return null;
        try
        {
            return Parse(await _http.GetStringAsync(new Uri(node.WebAddress, "/metrics")));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The <c>raft_reads_total</c> series of a Prometheus text exposition, summed by their <c>path</c> label.</summary>
    public static IReadOnlyDictionary<string, long> Parse(string exposition)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            var match = ReadsLine().Match(line);
            if (!match.Success) continue;
            var path = PathLabel().Match(match.Groups["labels"].Value);
            if (!path.Success) continue;
            var value = (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            counts[path.Groups["path"].Value] = counts.GetValueOrDefault(path.Groups["path"].Value) + value;
        }
        return counts;
    }

    private static void Add(Dictionary<string, long> into, IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (path, n) in counts) into[path] = into.GetValueOrDefault(path) + n;
    }

    [GeneratedRegex(@"^raft_reads_total\{(?<labels>[^}]*)\}\s+(?<value>[0-9.eE+]+)")]
    private static partial Regex ReadsLine();

    [GeneratedRegex(@"(?:^|,)path=""(?<path>[^""]*)""")]
    private static partial Regex PathLabel();

    public void Dispose() => _http.Dispose();
}
