using System.Net;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>What the console reads beyond the replicas: nodes, a leader's peers, and the server-side timeline.</summary>
public sealed class ConsoleApiTests(WebSiloFixture fixture) : IClassFixture<WebSiloFixture>
{
    private WebSilo Silo => fixture.Silo;

    [Fact]
    public async Task Status_lists_the_node_with_its_replicas_and_the_groups_it_leads()
    {
        using var status = await Silo.StatusAsync();
        var node = Assert.Single(status.RootElement.GetProperty("nodes").EnumerateArray());
        Assert.Equal("n1", node.GetProperty("name").GetString());
        Assert.Equal("up", node.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(node.GetProperty("address").GetString()));
        Assert.Equal(5, node.GetProperty("replicas").GetInt32());
        Assert.Equal(1, node.GetProperty("leads").GetInt32());
    }

    [Fact]
    public async Task The_leader_reports_each_peers_match_next_lag_and_state_and_followers_report_none()
    {
        await Silo.Client.PutAsync("/api/kv/peers-key", new StringContent("v"));
        var leader = await Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        using var status = await Silo.StatusAsync();
        var replicas = status.RootElement.GetProperty("replicas").EnumerateArray().ToArray();
        var leading = replicas.Single(r => r.GetProperty("name").GetString() == leader);
        var lastIndex = leading.GetProperty("lastLogIndex").GetInt64();
        var peers = leading.GetProperty("peers").EnumerateArray().ToArray();
        Assert.Equal(replicas.Select(r => r.GetProperty("name").GetString()).Where(n => n != leader).Order(),
            peers.Select(p => p.GetProperty("replica").GetString()).Order());
        foreach (var peer in peers)
        {
            var match = peer.GetProperty("matchIndex").GetInt64();
            Assert.True(peer.GetProperty("nextIndex").GetInt64() > match);
            Assert.Equal(lastIndex - match, peer.GetProperty("lag").GetInt64());
            Assert.Contains(peer.GetProperty("state").GetString(), new[] { "probe", "replicate", "snapshot" });
        }
        Assert.All(replicas.Where(r => r.GetProperty("name").GetString() != leader),
            r => Assert.Equal(JsonValueKind.Null, r.GetProperty("peers").ValueKind));
    }

    [Fact]
    public async Task A_leadership_transfer_is_in_the_timeline_as_an_operator_action_and_a_leader_change()
    {
        var leader = await Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        // The watcher reads status once a second: first it must have seen this leader.
        await WaitForEventAsync(0, t => t.Contains($"→ {leader} (", StringComparison.Ordinal) || t.StartsWith($"{leader} leads", StringComparison.Ordinal));
        using var start = await EventsAsync(0);
        var after = start.RootElement.GetProperty("last").GetInt64();
        var target = leader == "r2" ? "r3" : "r2";

        using (var response = await Silo.Client.PostAsync($"/api/leader/{target}", null))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var texts = await WaitForEventAsync(after, t => t.Contains($"leader changed: {leader} → {target}", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith($"transfer leadership to {target}: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_operator_action_is_recorded_as_failed()
    {
        using var start = await EventsAsync(0);
        var after = start.RootElement.GetProperty("last").GetInt64();
        using (var response = await Silo.Client.DeleteAsync("/api/members/r99"))
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        using var page = await EventsAsync(after);
        var e = Assert.Single(page.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "operator");
        Assert.True(e.GetProperty("failed").GetBoolean());
        Assert.StartsWith("remove r99: refused (404", e.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("after=abc")]
    [InlineData("after=-1")]
    [InlineData("limit=0")]
    [InlineData("limit=x")]
    public async Task Events_with_a_bad_query_is_a_400_that_says_why(string query)
    {
        using var response = await Silo.Client.GetAsync($"/api/events?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"'{query.Split('=')[0]}' must be a whole number", await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonDocument> EventsAsync(long after)
    {
        using var response = await Silo.Client.GetAsync($"/api/events?after={after}");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls the timeline (the watcher reads status once a second) until an event matches; returns every text seen.</summary>
    private async Task<List<string>> WaitForEventAsync(long after, Func<string, bool> match)
    {
        var texts = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using (var page = await EventsAsync(after))
            {
                foreach (var e in page.RootElement.GetProperty("events").EnumerateArray()) texts.Add(e.GetProperty("text").GetString()!);
                after = page.RootElement.GetProperty("last").GetInt64();
            }
            if (texts.Any(match)) return texts;
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                using var all = await EventsAsync(0);
                Assert.Fail($"no matching event; saw: {string.Join(" | ", texts)}; all: {all.RootElement}");
            }
        }
    }
}
