using System.Net;

namespace Orleans.Raft.Web.Tests;

public sealed class NoLeaderTests
{
    [Fact]
    public async Task Without_a_majority_requests_end_in_503()
    {
        await using var silo = await WebSilo.StartAsync();
        // Stop three of five through the fault control: the two left cannot elect a leader.
        foreach (var replica in new[] { "r1", "r2", "r3" })
        {
            using var stop = await silo.Client.PostAsync($"/api/replicas/{replica}/stop", null);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        await silo.WaitForNoLeaderAsync(TimeSpan.FromSeconds(10));

        // The silo's request timeout is 2 s: the gateway retries until then, then answers Timeout.
        using (var get = await silo.Client.GetAsync("/api/kv/anything"))
        {
            await ApiTests.AssertProblemAsync(get, HttpStatusCode.ServiceUnavailable, "timed out");
            Assert.Equal("1", get.Headers.RetryAfter?.Delta?.TotalSeconds.ToString());
        }
        using (var put = await silo.Client.PutAsync("/api/kv/anything", new StringContent("v")))
        {
            await ApiTests.AssertProblemAsync(put, HttpStatusCode.ServiceUnavailable, "timed out");
        }
    }
}
