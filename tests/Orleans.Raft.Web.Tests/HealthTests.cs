using System.Net;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>/healthz and /readyz, the probes of load balancers and Kubernetes.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Readyz_is_ready_with_a_leader_503_with_the_reason_without_one_and_ready_again_after()
    {
        await using var silo = await WebSilo.StartAsync();
        using (var live = await silo.Client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        await WaitForReadyAsync(silo);

        // Three of five stopped: the two left cannot elect a leader.
        string[] majority = ["r1", "r2", "r3"];
        foreach (var replica in majority)
        {
            using var stop = await silo.Client.PostAsync($"/api/replicas/{replica}/stop", null);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        await silo.WaitForNoLeaderAsync(TimeSpan.FromSeconds(10));
        using (var notReady = await silo.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var reasons = await ReasonsAsync(notReady);
            Assert.Contains($"group {silo.Group}: no leader is known", reasons);
            foreach (var replica in majority) Assert.Contains($"{silo.Group}/{replica} is not running", reasons);
            Assert.DoesNotContain(reasons, r => r.StartsWith($"{silo.Group}/r4", StringComparison.Ordinal));
        }
        using (var live = await silo.Client.GetAsync("/healthz"))
        {
            // Liveness does not depend on the replicas: a restart would not bring the majority back.
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        foreach (var replica in majority)
        {
            using var start = await silo.Client.PostAsync($"/api/replicas/{replica}/start", null);
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }
        await silo.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        await WaitForReadyAsync(silo);
    }

    [Fact]
    public async Task Probes_need_no_access_token()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", "probe-token");
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        using (var live = await anonymous.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal("Healthy", (await JsonDocument.ParseAsync(await live.Content.ReadAsStreamAsync())).RootElement.GetProperty("status").GetString());
        }
        using (var ready = await anonymous.GetAsync("/readyz"))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
        }
        using (var api = await anonymous.GetAsync("/api/status"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }
    }

    /// <summary>Asks /readyz until it answers 200 (a follower may still be applying the leader's first entries).</summary>
    private static async Task WaitForReadyAsync(WebSilo silo)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var last = "";
        while (true)
        {
            using (var ready = await silo.Client.GetAsync("/readyz"))
            {
                last = await ready.Content.ReadAsStringAsync();
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    using var body = JsonDocument.Parse(last);
                    Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
                    Assert.Equal(5, body.RootElement.GetProperty("checks").GetProperty("replicas").GetProperty("data").GetProperty("replicas").GetInt32());
                    return;
                }
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"/readyz never answered 200; last: {last}");
            }
        }
    }

    private static async Task<string[]> ReasonsAsync(HttpResponseMessage response)
    {
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        var check = body.RootElement.GetProperty("checks").GetProperty("replicas");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        return [.. check.GetProperty("data").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!)];
    }
}
