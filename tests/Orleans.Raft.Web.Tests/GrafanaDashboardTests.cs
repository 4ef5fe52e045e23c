using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Web.Tests;

/// <summary>ops/grafana/orleans-raft.json queries only metrics a silo exports, under the names Prometheus gives them.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_one_a_silo_exports()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "ops", "grafana", "orleans-raft.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToArray();
        Assert.True(expressions.Length >= 20, $"only {expressions.Length} queries");
        var queried = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        // The Orleans.Raft instruments, as Prometheus names them: every one is declared when the silo starts (the SQLite
        // storage's histograms with it), though a counter is exported only once it has counted.
        var exported = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name != RaftMetrics.MeterName) return;
                lock (exported) foreach (var name in PrometheusNames(instrument)) exported.Add(name);
            },
        };
        listener.Start();
        var data = Directory.CreateTempSubdirectory("raft-grafana-");
        try
        {
            await using var silo = await WebSilo.StartAsync("--Raft:Storage", "Sqlite", "--data", data.FullName);
            using (var put = await silo.Client.PutAsync("/api/kv/dashboard", new StringContent("v"))) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            // Orleans' and the runtime's names, from a scrape.
            using var scrape = await silo.Client.GetAsync("/metrics");
            foreach (var sample in PrometheusText.Parse(await scrape.Content.ReadAsStringAsync())) exported.Add(sample.Name);
        }
        finally
        {
            data.Delete(recursive: true);
        }

        var unknown = queried.Where(name => !exported.Contains(name)).Order().ToArray();
        Assert.True(unknown.Length == 0, $"the dashboard queries metrics no silo exports: {string.Join(", ", unknown)}");
        // It covers what etcd operators watch.
        string[] watched = ["raft_leader_changes_total", "raft_proposals_committed_total", "raft_proposals_failed_total",
            "raft_proposals_pending", "raft_wal_fsync_duration_milliseconds_bucket", "raft_backend_commit_duration_milliseconds_bucket",
            "raft_snapshots_sent_total", "raft_snapshots_received_total", "raft_peer_round_trip_milliseconds_bucket", "raft_apply_slow_total"];
        var unwatched = watched.Where(name => !queried.Contains(name)).ToArray();
        Assert.True(unwatched.Length == 0, $"the dashboard does not query {string.Join(", ", unwatched)}");
    }

    /// <summary>The OpenTelemetry Prometheus exporter's names: dots to underscores, the unit's word, _total for counters.</summary>
    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_') + instrument.Unit switch
        {
            "ms" => "_milliseconds",
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        return instrument switch
        {
            Counter<long> or Counter<double> => [name + "_total"],
            Histogram<double> or Histogram<long> => [name + "_bucket", name + "_sum", name + "_count"],
            _ => [name],
        };
    }

    [GeneratedRegex(@"\b(raft|dotnet|orleans)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Raft.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Orleans.Raft.sln above {AppContext.BaseDirectory}");
    }
}
