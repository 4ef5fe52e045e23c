using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>A <see cref="ClusterBenchReport"/> as the other verbs print theirs (a Spectre table), and as markdown to paste.</summary>
internal static class ClusterReportTables
{
    private static readonly string[] Columns = ["workload", "read mode", "clients", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "load"];

    public static void Write(ClusterBenchReport report, TextWriter output)
    {
        var table = new Table
        {
            Title = new TableTitle($"{report.System}: {report.Target}; {Cores(report)}, {BenchValues.ValueBytes}-byte values, {F(report.Settings.Seconds, "0.#")} s a cell"),
            Caption = new TableTitle("closed-loop clients; ops/s and latency count acknowledged requests; errors: failed or timed-out ones; load: 1-minute load average at the start of the cell"),
        };
        foreach (var column in Columns) table.AddColumn(new TableColumn(column) { Alignment = column is "workload" or "read mode" ? Justify.Left : Justify.Right });
        foreach (var c in report.Cells) table.AddRow(Row(c));
        var console = Tables.Console(output);
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        console.Write(table);
        foreach (var line in Summary(report)) output.WriteLine(line);
        output.WriteLine();
        output.Write(Markdown(report));
    }

    /// <summary>The cells as one markdown table, then the elections and the failover as a second.</summary>
    public static string Markdown(ClusterBenchReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.System}: {report.Target}; {Cores(report)}; {report.StartedUtc:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine("| " + string.Join(" | ", Columns) + " |");
        text.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---:|", Columns.Length - 2)));
        foreach (var c in report.Cells) text.AppendLine("| " + string.Join(" | ", Row(c)) + " |");
        text.AppendLine();
        text.AppendLine("| measure | value |");
        text.AppendLine("|---|---|");
        foreach (var (measure, value) in Measures(report)) text.AppendLine(CultureInfo.InvariantCulture, $"| {measure} | {value} |");
        return text.ToString();
    }

    private static IEnumerable<string> Summary(ClusterBenchReport report) => Measures(report).Select(m => $"{m.Measure}: {m.Value}");

    private static IEnumerable<(string Measure, string Value)> Measures(ClusterBenchReport report)
    {
        if (report.Steady is { } s)
        {
            yield return ($"elections in {F(s.Load.Seconds, "0")} s of sets at {I(s.Load.Clients)} clients",
                $"{I(s.TermChanges)} term changes, {I(s.LeaderChanges)} leader changes ({I(s.Samples)} samples, {I(s.FailedSamples)} unanswered; " +
                $"{F(s.Load.OpsPerSecond, "N0")} sets/s, p99 {F(s.Load.P99Ms, "F2")} ms, {I(s.Load.Errors)} errors)");
        }
        var f = report.Failover;
        if (f.Skipped is not null)
        {
            yield return ("failover after kill -9 of the leader's node", $"not measured: {f.Skipped}");
        }
        else if (f.KillToWrite is { } write && f.KillToLeader is { } leader)
        {
            yield return ($"failover, kill -9 of the leader's node to the next acknowledged write ({I(f.Trials.Length)} trials)",
                $"median {F(write.Median, "F0")} ms, p90 {F(write.P90, "F0")} ms, max {F(write.Max, "F0")} ms");
            yield return ("failover, kill -9 to a new leader", $"median {F(leader.Median, "F0")} ms, p90 {F(leader.P90, "F0")} ms, max {F(leader.Max, "F0")} ms");
            if (f.LongestStallAfter is { } stall)
                yield return ("then the longest stall between writes (to 5 s)", $"median {F(stall.Median, "F0")} ms, max {F(stall.Max, "F0")} ms");
            var failed = f.Trials.Sum(t => t.FailedWrites);
            if (failed > 0) yield return ("writes that failed during failover (each retried)", $"{I(failed)}: {string.Join("; ", f.Trials.SelectMany(t => t.Errors).Distinct())}");
        }
        yield return ("load average (1 min)", $"{report.LoadAtStart} at the start, {report.LoadAtEnd} at the end");
    }

    private static string[] Row(ClusterCell c) =>
    [
        c.Workload, c.ReadMode, I(c.Clients), F(c.OpsPerSecond, "F0"), F(c.P50Ms, "F2"), F(c.P99Ms, "F2"), F(c.P999Ms, "F2"), I(c.Errors), c.Load,
    ];

    private static string Cores(ClusterBenchReport report) => $"{I(report.Cores)} cores";

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
