using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>Read-only and admin tokens, and the limit on failed attempts.</summary>
public sealed class TokenScopeTests
{
    private const string Admin = "admin-token-of-the-test";
    private const string ReadOnly = "read-only-token-of-the-test";

    [Fact]
    public async Task The_read_only_token_reads_and_watches_and_is_refused_writes_faults_membership_and_leadership()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", Admin, "--read-only-token", ReadOnly);
        using (var put = await silo.Client.PutAsync("/api/kv/scoped", new StringContent("by-admin"))) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var reader = Client(silo, ReadOnly);

        foreach (var path in new[] { "/api/kv/scoped", "/api/status", "/api/range?prefix=sc", "/api/members", "/api/metrics", "/metrics", "/raft/" })
        {
            using var response = await reader.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} with the read-only token: {(int)response.StatusCode}");
        }
        using (var watch = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/watch?key=scoped"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
            Assert.Equal("text/event-stream", watch.Content.Headers.ContentType?.MediaType);
        }

        var leader = await silo.LeaderAsync();
        var refused = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Put, "/api/kv/scoped", "by-reader"),
            (HttpMethod.Delete, "/api/kv/scoped", null),
            (HttpMethod.Post, "/api/append/scoped", "more"),
            (HttpMethod.Post, "/api/txn", """{"success":[{"put":{"key":"scoped","value":"txn"}}]}"""),
            (HttpMethod.Post, "/api/leases", """{"ttl":10}"""),
            (HttpMethod.Post, "/api/faults/split", """{"name":"p","replicas":["r1"]}"""),
            (HttpMethod.Post, "/api/faults/heal", null),
            (HttpMethod.Post, "/api/replicas/r1/stop", null),
            (HttpMethod.Post, "/api/members", """{"node":"n9"}"""),
            (HttpMethod.Delete, "/api/members/r5", null),
            (HttpMethod.Post, $"/api/leader/{(leader == "r2" ? "r3" : "r2")}", null),
        };
        foreach (var (method, path, body) in refused)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await reader.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with the read-only token: {(int)response.StatusCode}");
            await ApiTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "read-only");
        }

        // Nothing it tried took effect: the value, the leader and the faults are as they were.
        using (var get = await reader.GetAsync("/api/kv/scoped")) Assert.Contains("by-admin", await get.Content.ReadAsStringAsync());
        Assert.Equal(leader, await silo.LeaderAsync());
        using (var faults = await reader.GetAsync("/api/faults")) Assert.DoesNotContain("\"r1\"", await faults.Content.ReadAsStringAsync());

        // The admin token does what the read-only one may not.
        using (var put = await silo.Client.PutAsync("/api/kv/scoped", new StringContent("again"))) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var heal = await silo.Client.PostAsync("/api/faults/heal", null)) Assert.Equal(HttpStatusCode.OK, heal.StatusCode);
    }

    [Fact]
    public async Task A_page_loaded_with_the_read_only_token_reads_with_its_cookie_and_cannot_write()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", Admin, "--read-only-token", ReadOnly);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = silo.BaseAddress };
        using (var page = await browser.GetAsync($"/raft/?access_token={ReadOnly}")) Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var status = await browser.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using (var put = await browser.PutAsync("/api/kv/from-page", new StringContent("v"))) Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task Failed_attempts_are_logged_and_after_the_limit_the_address_is_refused_even_with_the_right_token_until_its_window_ends()
    {
        var logs = new LogCollector();
        await using var silo = await WebSilo.StartAsync(b => b.Logging.AddProvider(logs),
            "--access-token", Admin, "--Web:AuthFailureLimit", "3", "--Web:AuthFailureWindow", "00:00:02");
        using var guesser = Client(silo, "guess");
        for (var i = 0; i < 3; i++)
        {
            using var response = await guesser.GetAsync("/api/status");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // Locked out: the right token is refused too, so a guess cannot be told right by its answer.
        using (var locked = await silo.Client.GetAsync("/api/status"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.NotNull(locked.Headers.RetryAfter);
            await ApiTests.AssertProblemAsync(locked, HttpStatusCode.TooManyRequests, "refused until");
        }
        using (var stillGuessing = await guesser.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.TooManyRequests, stillGuessing.StatusCode);

        var warnings = logs.Entries.Where(e => e.Category.EndsWith(nameof(AccessTokenMiddleware), StringComparison.Ordinal) && e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(2, warnings.Count(m => m.Contains("a wrong access token", StringComparison.Ordinal)));
        Assert.Single(warnings, m => m.Contains("refused (429)", StringComparison.Ordinal));
        Assert.All(warnings, m => Assert.DoesNotContain("guess", m));

        // The window ends: the right token works again.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            using var response = await silo.Client.GetAsync("/api/status", cts.Token);
            if (response.StatusCode == HttpStatusCode.OK) break;
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            await Task.Delay(200, cts.Token);
        }
    }

    [Fact]
    public async Task Probes_need_no_token_and_do_not_count_as_failures()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", Admin, "--Web:AuthFailureLimit", "1");
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        for (var i = 0; i < 3; i++)
        {
            using var healthz = await anonymous.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }
        using var status = await silo.Client.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    [Theory]
    [InlineData(new[] { "--read-only-token", ReadOnly }, "without Web:AccessToken")]
    [InlineData(new[] { "--access-token", Admin, "--read-only-token", Admin }, "must differ")]
    [InlineData(new[] { "--access-token", Admin, "--Web:AuthFailureLimit", "0" }, "AuthFailureLimit")]
    public void Unusable_token_settings_stop_the_silo_at_start(string[] settings, string expected)
    {
        var error = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, settings)));
        Assert.Contains(expected, error.Message);
    }

    private static HttpClient Client(WebSilo silo, string token)
    {
        var client = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
