using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

public sealed class OverloadTests
{
    [Fact]
    public async Task Past_the_leaders_backlog_bound_a_write_ends_in_503_Overloaded_and_is_counted()
    {
        // Check-quorum off: a leader without a majority keeps leading, so its one allowed uncommitted write stays.
        await using var silo = await WebSilo.StartAsync("--Raft:CheckQuorum", "false", "--Raft:MaxUncommittedEntries", "1");
        var leader = await silo.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        foreach (var replica in new[] { "r1", "r2", "r3", "r4", "r5" }.Where(r => r != leader).Take(3))
        {
            using var stop = await silo.Client.PostAsync($"/api/replicas/{replica}/stop", null);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        using (var first = await silo.Client.PutAsync("/api/kv/first", new StringContent("v")))
        {
            await ApiTests.AssertProblemAsync(first, HttpStatusCode.ServiceUnavailable, "timed out");
        }
        using (var second = await silo.Client.PutAsync("/api/kv/second", new StringContent("v")))
        {
            await ApiTests.AssertProblemAsync(second, HttpStatusCode.ServiceUnavailable, "not applied");
            Assert.Equal("Overloaded", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
            Assert.Equal("1", second.Headers.RetryAfter?.Delta?.TotalSeconds.ToString());
        }
        using var metrics = await silo.Client.GetAsync("/api/metrics");
        var counters = (await metrics.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("counters");
        Assert.True(counters.GetProperty("raft.proposals.refused").GetInt64() >= 1);
        Assert.True(counters.GetProperty("raft.proposals.timed_out").GetInt64() >= 1);
    }
}
