using System.Net;
using System.Net.Http.Headers;

namespace Orleans.Raft.Web.Tests;

/// <summary>/metrics: the silo's OpenTelemetry metrics in the Prometheus text format.</summary>
public sealed class MetricsEndpointTests
{
    private const string Token = "metrics-token";

    [Fact]
    public async Task A_scrape_shows_raft_proposals_rising_with_writes_and_orleans_and_runtime_metrics()
    {
        await using var silo = await WebSilo.StartAsync();
        var before = PrometheusText.Sum(await ScrapeAsync(silo.Client), "raft_proposals_total") ?? 0;

        const int writes = 5;
        for (var i = 0; i < writes; i++)
        {
            using var put = await silo.Client.PutAsync($"/api/kv/metrics-{i}", new StringContent("v"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var after = await ScrapeAsync(silo.Client);
        // Each write is a client command the leader proposed (opening the client's session is one more).
        var proposals = PrometheusText.Sum(after, "raft_proposals_total");
        Assert.NotNull(proposals);
        Assert.True(proposals >= before + writes, $"raft_proposals_total went from {before} to {proposals} over {writes} writes");
        Assert.Contains(after, s => s.Name == "raft_commit_index" && s.Labels.GetValueOrDefault("group") == silo.Group);
        // The runtime's own meter (System.Runtime), no instrumentation package.
        Assert.Contains(after, s => s.Name == "dotnet_gc_collections_total");
        Assert.Contains(after, s => s.Name == "dotnet_process_memory_working_set_bytes" && s.Value > 0);
        // Orleans' meter (Microsoft.Orleans): the grains activated on this silo, the replicas among them.
        Assert.Contains(after, s => s.Name == "orleans_catalog_activations" && s.Labels.GetValueOrDefault("grain_type") == "raftreplica" && s.Value > 0);
    }

    [Fact]
    public async Task Each_silo_of_a_process_exports_its_own_replicas_and_counters()
    {
        await using var first = await WebSilo.StartAsync();
        var before = PrometheusText.Sum(await ScrapeAsync(first.Client), "raft_proposals_total") ?? 0;
        await using (var second = await WebSilo.StartAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                using var put = await second.Client.PutAsync($"/api/kv/second-{i}", new StringContent("v"));
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }
            var secondScrape = await ScrapeAsync(second.Client);
            Assert.All(secondScrape.Where(s => s.Name == "raft_commit_index"), s => Assert.Equal(second.Group, s.Labels["group"]));
            Assert.True(PrometheusText.Sum(secondScrape, "raft_proposals_total") >= 3);
        }

        // The second silo's writes are not the first's, and its shutdown does not take the first's instruments along.
        var firstScrape = await ScrapeAsync(first.Client);
        Assert.Equal(before, PrometheusText.Sum(firstScrape, "raft_proposals_total") ?? 0);
        var commitIndexes = firstScrape.Where(s => s.Name == "raft_commit_index").ToArray();
        Assert.Equal(5, commitIndexes.Length);
        Assert.All(commitIndexes, s => Assert.Equal(first.Group, s.Labels["group"]));
        using (var put = await first.Client.PutAsync("/api/kv/first", new StringContent("v")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.True(PrometheusText.Sum(await ScrapeAsync(first.Client), "raft_proposals_total") > before);
    }

    [Fact]
    public async Task With_a_token_metrics_needs_it_as_the_api_does()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", Token);
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        using (var refused = await anonymous.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var scrape = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains(PrometheusText.Parse(await scrape.Content.ReadAsStringAsync()), s => s.Name.StartsWith("raft_", StringComparison.Ordinal));
    }

    [Fact]
    public void The_parser_reads_labels_escapes_and_special_values()
    {
        var samples = PrometheusText.Parse(
            "# HELP raft_proposals_total Client commands\n" +
            "# TYPE raft_proposals_total counter\n" +
            "raft_proposals_total{group=\"g1\",note=\"a \\\"b\\\" }c\"} 3 1700000000000\n" +
            "raft_proposals_total{group=\"g2\"} 4.5\n" +
            "up 1\n" +
            "x_bucket{le=\"+Inf\"} +Inf\n" +
            "# EOF\n");
        Assert.Equal(4, samples.Count);
        Assert.Equal("a \"b\" }c", samples[0].Labels["note"]);
        Assert.Equal(7.5, PrometheusText.Sum(samples, "raft_proposals_total"));
        Assert.Equal(1, samples[2].Value);
        Assert.True(double.IsPositiveInfinity(samples[3].Value));
        Assert.Null(PrometheusText.Sum(samples, "absent"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("broken{label=1} 2\n"));
    }

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
