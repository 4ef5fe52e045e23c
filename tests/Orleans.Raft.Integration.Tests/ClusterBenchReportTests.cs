using System.Text.Json;
using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The cluster benchmark's report: its JSON (what later runs are compared against), its markdown, and two reports side by side.</summary>
public sealed class ClusterBenchReportTests
{
    private static readonly ClusterBenchSettings Settings = new([1, 64], 10, 20, 60, 64, 10, ["ReadIndex", "Lease"], null);

    private static ClusterCell Cell(string workload, string mode, int clients, double rate, double p50) =>
        new(workload, mode, clients, 10, (long)(rate * 10), 0, rate, p50, p50 * 3, p50 * 5, p50 * 6, "1.50", []);

    private static ClusterBenchReport Ours() => new("Orleans.Raft", "three silo processes", new DateTime(2026, 12, 2, 1, 2, 3, DateTimeKind.Utc), 2, "1.00", "2.00", Settings,
        [
            Cell("set", "", 1, 2500, 0.4),
            Cell("set", "", 64, 9000, 7),
            Cell("get linearizable", "ReadIndex", 1, 2000, 0.5),
            Cell("get linearizable", "ReadIndex", 64, 21000, 3),
            Cell("get linearizable", "Lease", 1, 4000, 0.25),
            Cell("get linearizable", "Lease", 64, 15000, 4),
        ],
        new SteadyLoadResult(Cell("set", "", 64, 9000, 7) with { Seconds = 60 }, 240, 0, 3, 3, 0, 0),
        FailoverSummary.Of([new FailoverTrial(1, "n2", "r2", 1, "r1", 2, 700, 750, 40, 1, ["a gateway connection closed while it was in flight"]),
            new FailoverTrial(2, "n1", "r1", 2, "r3", 3, 900, 1250, 60, 0, [])]));

    private static ClusterBenchReport Etcd() => new("etcd 3.4.23", "three members", new DateTime(2026, 12, 2, 1, 30, 0, DateTimeKind.Utc), 2, "1.10", "1.20",
        Settings with { ReadModes = ["ReadIndex"] },
        [
            Cell("set", "", 1, 800, 1.2),
            Cell("set", "", 64, 4000, 15),
            Cell("get linearizable", "ReadIndex", 1, 1000, 0.9),
            Cell("get linearizable", "ReadIndex", 64, 6500, 9),
        ],
        new SteadyLoadResult(Cell("set", "", 64, 4000, 15) with { Seconds = 60 }, 240, 0, 2, 3, 1, 1),
        FailoverSummary.Of([new FailoverTrial(1, "e1", "e1", 2, "e2", 3, 1100, 1200, 0, 0, [])]));

    [Fact]
    public void The_json_names_its_fields_in_camel_case_and_reads_back_the_same()
    {
        var report = Ours();
        var json = report.ToJson();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("Orleans.Raft", root.GetProperty("system").GetString());
        Assert.Equal("2026-12-02T01:02:03Z", root.GetProperty("startedUtc").GetString());
        var cell = root.GetProperty("cells")[0];
        Assert.Equal("set", cell.GetProperty("workload").GetString());
        Assert.Equal(2500, cell.GetProperty("opsPerSecond").GetDouble());
        Assert.Equal(2.0, cell.GetProperty("p999Ms").GetDouble(), 6);
        Assert.Equal(256, root.GetProperty("settings").GetProperty("valueBytes").GetInt32());
        Assert.False(root.GetProperty("settings").TryGetProperty("jsonPath", out _));
        Assert.Equal(0, root.GetProperty("steady").GetProperty("termChanges").GetInt64());
        Assert.Equal(1000, root.GetProperty("failover").GetProperty("killToWrite").GetProperty("median").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("failover").GetProperty("skipped").ValueKind);

        // Read back, it writes the same JSON: nothing is lost on the way.
        var back = ClusterBenchReport.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(report.Cells.Length, back.Cells.Length);
        Assert.Equal(report.Failover.KillToWrite, back.Failover.KillToWrite);
        Assert.Equal(["a gateway connection closed while it was in flight"], back.Failover.Trials[0].Errors);
        Assert.Equal(DateTimeKind.Utc, back.StartedUtc.Kind);
    }

    [Fact]
    public void A_failover_that_was_not_run_says_why_in_the_json_and_the_markdown()
    {
        var report = Ours() with { Failover = FailoverSummary.NotRun("with --gateway the nodes are not this benchmark's") };
        using var document = JsonDocument.Parse(report.ToJson());
        Assert.Equal("with --gateway the nodes are not this benchmark's", document.RootElement.GetProperty("failover").GetProperty("skipped").GetString());
        Assert.Contains("| failover after kill -9 of the leader's node | not measured: with --gateway the nodes are not this benchmark's |",
            ClusterReportTables.Markdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_file_name_sorts_by_the_run_s_start_in_utc()
    {
        Assert.Equal("bench-cluster-20261202T010203Z.json", ClusterBenchReport.DefaultFileName("cluster", new DateTime(2026, 12, 2, 1, 2, 3, DateTimeKind.Utc)));
    }

    [Fact]
    public void The_markdown_has_a_row_per_cell_and_the_elections_and_failover_below()
    {
        var lines = ClusterReportTables.Markdown(Ours()).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains("| workload | read mode | clients | ops/s | p50 ms | p99 ms | p99.9 ms | errors | load |", lines);
        Assert.Contains("| set |  | 1 | 2500 | 0.40 | 1.20 | 2.00 | 0 | 1.50 |", lines);
        Assert.Contains("| get linearizable | Lease | 64 | 15000 | 4.00 | 12.00 | 20.00 | 0 | 1.50 |", lines);
        Assert.Equal(6, lines.Count(l => l.StartsWith("| set |", StringComparison.Ordinal) || l.StartsWith("| get ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("| elections in 60 s of sets at 64 clients | 0 term changes, 0 leader changes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| failover, kill -9 of the leader's node to the next acknowledged write (2 trials) | median 1000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void Side_by_side_each_cell_meets_etcd_s_of_the_same_workload_and_clients_and_the_targets_say_whether_they_are_met()
    {
        var lines = BenchComparison.Markdown(Ours(), Etcd()).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains("| set |  | 64 | 9,000 | 4,000 | 2.25 | 7.00 / 15.00 | 21.00 / 45.00 | 35.00 / 75.00 |", lines);
        // Every read mode of ours against etcd's linearizable reads.
        Assert.Contains("| get linearizable | Lease | 1 | 4,000 | 1,000 | 4.00 | 0.25 / 0.90 | 0.75 / 2.70 | 1.25 / 4.50 |", lines);
        Assert.Contains("| sequential set, p50 | at most 0.5 ms | 0.40 ms | 1.20 ms | yes |", lines);
        Assert.Contains("| set, 64 clients | at least 2× etcd | 9,000/s (2.25×) | 4,000/s | yes |", lines);
        Assert.Contains("| sequential linearizable get, p50 (ReadIndex) | at most 0.4 ms | 0.50 ms | 0.90 ms | no |", lines);
        Assert.Contains("| linearizable get, 64 clients (ReadIndex) | at least 3× etcd | 21,000/s (3.23×) | 6,500/s | yes |", lines);
        Assert.Contains("| linearizable get, 64 clients (Lease) | at least 3× etcd | 15,000/s (2.31×) | 6,500/s | no |", lines);
        Assert.Contains("| elections in 60 s of steady load | 0 | 0 | 1 | yes |", lines);
        Assert.Contains("| median failover (kill -9 of the leader's node to the next write) | under 1 s | 1000 ms | 1200 ms | no |", lines);
        // A cell etcd did not run has no counterpart.
        Assert.DoesNotContain(lines, l => l.Contains("| – | –", StringComparison.Ordinal) && l.StartsWith("| set", StringComparison.Ordinal));
    }
}
