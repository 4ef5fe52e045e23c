using System.Globalization;
using System.Text;

namespace Orleans.Raft.Bench;

/// <summary>
/// Two reports side by side, as markdown: Orleans.Raft's cells against etcd's of the same workload and client count
/// (each of Orleans.Raft's read modes against etcd's linearizable reads), then issue 14's targets, met or not.
/// </summary>
internal static class BenchComparison
{
    public static string Markdown(ClusterBenchReport ours, ClusterBenchReport theirs)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{ours.System} ({ours.StartedUtc:yyyy-MM-dd HH:mm} UTC, load {ours.LoadAtStart} to {ours.LoadAtEnd}) against " +
            $"{theirs.System} ({theirs.StartedUtc:yyyy-MM-dd HH:mm} UTC, load {theirs.LoadAtStart} to {theirs.LoadAtEnd}); {I(ours.Cores)} cores");
        text.AppendLine();
        text.AppendLine($"| workload | read mode | clients | {ours.System} ops/s | {theirs.System} ops/s | ratio | p50 ms | p99 ms | p99.9 ms |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in ours.Cells)
        {
            var e = Match(theirs, c.Workload, c.Clients);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Workload} | {c.ReadMode} | {I(c.Clients)} | {F(c.OpsPerSecond, "N0")} | {(e is null ? "–" : F(e.OpsPerSecond, "N0"))} | {Ratio(c.OpsPerSecond, e?.OpsPerSecond)} | " +
                $"{Pair(c.P50Ms, e?.P50Ms)} | {Pair(c.P99Ms, e?.P99Ms)} | {Pair(c.P999Ms, e?.P999Ms)} |");
        }
        text.AppendLine();
        text.AppendLine("Latencies: ours / theirs.");
        text.AppendLine();
        text.AppendLine($"| measure | target | {ours.System} | {theirs.System} | met |");
        text.AppendLine("|---|---|---:|---:|---|");
        foreach (var row in Targets(ours, theirs)) text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Measure} | {row.Target} | {row.Ours} | {row.Theirs} | {row.Met} |");
        return text.ToString();
    }

    private static IEnumerable<(string Measure, string Target, string Ours, string Theirs, string Met)> Targets(ClusterBenchReport ours, ClusterBenchReport theirs)
    {
        var set1 = Match(ours, "set", 1);
        var theirSet1 = Match(theirs, "set", 1);
        yield return ("sequential set, p50", "at most 0.5 ms", Ms(set1?.P50Ms), Ms(theirSet1?.P50Ms), Met(set1 is null ? null : set1.P50Ms <= 0.5));
        var set64 = Match(ours, "set", 64);
        var theirSet64 = Match(theirs, "set", 64);
        yield return ("set, 64 clients", "at least 2× etcd", Rate(set64, theirSet64), Rate(theirSet64, null), Met(AtLeast(set64, theirSet64, 2)));
        var modes = ours.Cells.Where(c => c.Workload == "get linearizable").Select(c => c.ReadMode).Distinct().ToArray();
        var theirGet1 = Match(theirs, "get linearizable", 1);
        var theirGet64 = Match(theirs, "get linearizable", 64);
        foreach (var mode in modes.DefaultIfEmpty(""))
        {
            var label = modes.Length > 1 ? $" ({mode})" : "";
            var get1 = ours.Cells.FirstOrDefault(c => c.Workload == "get linearizable" && c.ReadMode == mode && c.Clients == 1);
            var get64 = ours.Cells.FirstOrDefault(c => c.Workload == "get linearizable" && c.ReadMode == mode && c.Clients == 64);
            yield return ($"sequential linearizable get, p50{label}", "at most 0.4 ms", Ms(get1?.P50Ms), Ms(theirGet1?.P50Ms), Met(get1 is null ? null : get1.P50Ms <= 0.4));
            yield return ($"linearizable get, 64 clients{label}", "at least 3× etcd", Rate(get64, theirGet64), Rate(theirGet64, null), Met(AtLeast(get64, theirGet64, 3)));
        }
        yield return (ElectionsMeasure(ours.Steady), "0", Elections(ours.Steady), Elections(theirs.Steady), Met(ours.Steady is null ? null : ours.Steady.TermChanges == 0));
        var failover = ours.Failover.KillToWrite?.Median;
        yield return ("median failover (kill -9 of the leader's node to the next write)", "under 1 s", Ms(failover), Ms(theirs.Failover.KillToWrite?.Median),
            Met(failover is null ? null : failover < 1000));
    }

    private static string ElectionsMeasure(SteadyLoadResult? steady) =>
        steady is null ? "elections under steady load" : $"elections in {F(steady.Load.Seconds, "0")} s of steady load";

    private static string Elections(SteadyLoadResult? steady) => steady is null ? "–" : I(steady.TermChanges);

    private static ClusterCell? Match(ClusterBenchReport report, string workload, int clients) =>
        report.Cells.FirstOrDefault(c => c.Workload == workload && c.Clients == clients);

    private static bool? AtLeast(ClusterCell? ours, ClusterCell? theirs, double times) =>
        ours is null || theirs is null || theirs.OpsPerSecond <= 0 ? null : ours.OpsPerSecond >= times * theirs.OpsPerSecond;

    private static string Rate(ClusterCell? cell, ClusterCell? against) => cell is null ? "–"
        : against is { OpsPerSecond: > 0 } ? $"{F(cell.OpsPerSecond, "N0")}/s ({F(cell.OpsPerSecond / against.OpsPerSecond, "F2")}×)" : $"{F(cell.OpsPerSecond, "N0")}/s";

    private static string Ratio(double ours, double? theirs) => theirs is > 0 ? F(ours / theirs.Value, "F2") : "–";

    private static string Pair(double ours, double? theirs) => $"{F(ours, "F2")} / {(theirs is null ? "–" : F(theirs.Value, "F2"))}";

    private static string Ms(double? ms) => ms is null ? "–" : $"{F(ms.Value, ms.Value >= 100 ? "F0" : "F2")} ms";

    private static string Met(bool? met) => met switch { true => "yes", false => "no", null => "–" };

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
