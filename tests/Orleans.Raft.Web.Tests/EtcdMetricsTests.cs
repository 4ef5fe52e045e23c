using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Raft.Web.Tests;

/// <summary>The metrics etcd operators watch, scraped from /metrics and parsed.</summary>
public sealed class EtcdMetricsTests
{
    [Fact]
    public async Task Writes_to_sqlite_show_fsync_and_backend_commit_histograms_committed_proposals_applies_and_a_leader_change()
    {
        var data = Directory.CreateTempSubdirectory("raft-metrics-");
        try
        {
            await using var silo = await WebSilo.StartAsync("--Raft:Storage", "Sqlite", "--data", data.FullName);
            const int writes = 5;
            for (var i = 0; i < writes; i++) await PutAsync(silo, $"etcd-{i}");

            var scrape = await ScrapeAsync(silo);
            var fsyncs = Value(scrape, "raft_wal_fsync_duration_milliseconds_count");
            Assert.True(fsyncs >= writes, $"{fsyncs} fsyncs for {writes} writes");
            Assert.True(Value(scrape, "raft_backend_commit_duration_milliseconds_count") >= fsyncs);
            Assert.True(Value(scrape, "raft_wal_fsync_duration_milliseconds_sum") > 0);
            // Buckets from 0.1 ms, so a sub-millisecond fsync is told apart from a slow one.
            Assert.Contains(scrape, s => s.Name == "raft_wal_fsync_duration_milliseconds_bucket" && s.Labels.GetValueOrDefault("le") == "0.25");
            Assert.True(Value(scrape, "raft_proposals_committed_total", silo.Group) >= writes);
            Assert.True(Value(scrape, "raft_entries_applied_total") >= writes);
            Assert.True(Value(scrape, "raft_apply_duration_milliseconds_count") >= writes);
            // Each of the five replicas saw the first leader arrive.
            Assert.True(Value(scrape, "raft_leader_changes_total", silo.Group) >= 5);
            Assert.Equal(0, Value(scrape, "raft_proposals_failed_total"));

            // The console reads the fsync histogram from /api/metrics: the storage's instruments share the silo's meter.
            using var api = await silo.Client.GetAsync("/api/metrics");
            using var json = JsonDocument.Parse(await api.Content.ReadAsStringAsync());
            Assert.True(json.RootElement.GetProperty("histograms").TryGetProperty("raft.wal.fsync.duration", out var fsync), json.RootElement.ToString());
            Assert.True(fsync.GetProperty("count").GetInt64() >= writes);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_leader_times_heartbeats_to_its_peers_by_peer()
    {
        await using var silo = await WebSilo.StartAsync("--Raft:Quiesce", "false");
        var leader = await silo.LeaderAsync();
        var scrape = await ScrapeUntilAsync(silo, s => Value(s, "raft_peer_round_trip_milliseconds_count") > 0);
        var peers = scrape.Where(s => s.Name == "raft_peer_round_trip_milliseconds_count" && s.Value > 0).Select(s => s.Labels["peer"]).ToHashSet();
        Assert.NotEmpty(peers);
        Assert.DoesNotContain(leader!, peers);
    }

    [Fact]
    public async Task A_proposal_that_cannot_commit_counts_as_failed_with_its_reason()
    {
        // Without check-quorum the cut-off leader keeps leading, so its proposal waits out the request and times out.
        await using var silo = await WebSilo.StartAsync("--Raft:CheckQuorum", "false");
        var leader = await silo.LeaderAsync();
        foreach (var replica in new[] { "r1", "r2", "r3", "r4", "r5" }.Where(r => r != leader).Take(3))
        {
            using var stop = await silo.Client.PostAsync($"/api/replicas/{replica}/stop", null);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        var gateway = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyValueGatewayGrain>(silo.Group);
        var response = await gateway.Execute(KvRequest.Set("no-quorum", "v"));
        Assert.Equal(KvStatus.Timeout, response.Status);

        var failed = (await ScrapeAsync(silo)).Where(s => s.Name == "raft_proposals_failed_total" && s.Labels.GetValueOrDefault("group") == silo.Group).ToArray();
        Assert.Contains(failed, s => s.Labels["reason"] == "timeout" && s.Value >= 1);
    }

    [Fact]
    public async Task A_follower_brought_back_past_a_compaction_counts_a_snapshot_sent_and_received_with_durations()
    {
        await using var silo = await WebSilo.StartAsync("--Raft:SnapshotEvery", "20", "--Raft:SnapshotCatchUpEntries", "0");
        var leader = await silo.LeaderAsync();
        var behind = new[] { "r1", "r2", "r3", "r4", "r5" }.First(r => r != leader);
        using (var stop = await silo.Client.PostAsync($"/api/replicas/{behind}/stop", null)) Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        for (var i = 0; i < 60; i++) await PutAsync(silo, $"compacted-{i}");
        using (var start = await silo.Client.PostAsync($"/api/replicas/{behind}/start", null)) Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        var scrape = await ScrapeUntilAsync(silo, s => Value(s, "raft_snapshots_received_total", silo.Group) > 0 && Value(s, "raft_snapshots_sent_total", silo.Group) > 0);
        Assert.True(Value(scrape, "raft_snapshot_send_duration_milliseconds_count") >= 1);
        Assert.True(Value(scrape, "raft_snapshot_receive_duration_milliseconds_count") >= 1);
    }

    [Fact]
    public async Task Applies_over_the_slow_apply_threshold_are_counted()
    {
        // A threshold of a tenth of a microsecond: every apply is over it.
        await using var silo = await WebSilo.StartAsync("--Raft:SlowApplyThreshold", "00:00:00.0000001");
        await PutAsync(silo, "slow");
        Assert.True(Value(await ScrapeAsync(silo), "raft_apply_slow_total", silo.Group) >= 1);
    }

    [Fact]
    public async Task A_slow_apply_threshold_of_zero_stops_the_silo_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var silo = await WebSilo.StartAsync("--Raft:SlowApplyThreshold", "00:00:00");
        });
        Assert.Contains("SlowApplyThreshold", error.ToString());
    }

    private static async Task PutAsync(WebSilo silo, string key)
    {
        using var put = await silo.Client.PutAsync($"/api/kv/{key}", new StringContent("v"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    /// <summary>The sum of a metric's samples, of one group when given; 0 when there are none.</summary>
    private static double Value(IReadOnlyList<PrometheusSample> samples, string name, string? group = null) =>
        samples.Where(s => s.Name == name && (group is null || s.Labels.GetValueOrDefault("group") == group)).Sum(s => s.Value);

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(WebSilo silo)
    {
        using var response = await silo.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeUntilAsync(WebSilo silo, Func<IReadOnlyList<PrometheusSample>, bool> done)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var scrape = await ScrapeAsync(silo);
            if (done(scrape)) return scrape;
            if (cts.IsCancellationRequested)
                Assert.Fail($"not seen in 20 s; raft metrics: {string.Join(", ", scrape.Where(s => s.Name.StartsWith("raft_", StringComparison.Ordinal)).Select(s => $"{s.Name}={s.Value}").Distinct().Take(80))}");
            await Task.Delay(100);
        }
    }
}
