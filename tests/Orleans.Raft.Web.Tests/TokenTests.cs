using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

public sealed class TokenTests
{
    private const string Token = "correct-horse-battery-staple";

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    [InlineData("::")]
    public void Refuses_a_non_loopback_address_without_a_token(string address)
    {
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloWebApp.Build(WebSilo.Arguments(out _, "--bind", address)));
        Assert.Contains("not a loopback address", ex.Message);
        Assert.Contains("Web:AccessToken", ex.Message);
    }

    [Fact]
    public async Task A_non_loopback_address_with_a_token_builds()
    {
        await using var app = SiloWebApp.Build(WebSilo.Arguments(out _, "--bind", "0.0.0.0", "--access-token", Token));
        Assert.NotNull(app);
    }

    [Fact]
    public async Task The_silo_process_exits_non_zero_with_a_clear_message()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Orleans.Raft.Silo.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in new[] { dll, "--dashboard-port", "0" }.Concat(WebSilo.Arguments(out _, "--bind", "0.0.0.0"))) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("refusing to listen on 0.0.0.0", await stderr);
    }

    [Fact]
    public async Task With_a_token_every_request_needs_it()
    {
        await using var silo = await WebSilo.StartAsync("--access-token", Token);
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };

        foreach (var path in new[] { "/api/status", "/api/members/events?after=0", "/api/kv/x", "/raft/", "/raft/raft.js", "/" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            await ApiTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "access token");
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/status"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
            using var response = await anonymous.SendAsync(wrong);
            await ApiTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "wrong");
        }
        using (var wrongQuery = await anonymous.GetAsync("/raft/?access_token=wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongQuery.StatusCode);
        }

        using (var bearer = await silo.Client.GetAsync("/api/status"))
        {
            Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        }

        // The page with ?access_token= sets a cookie, which then carries its scripts and the dashboard.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = silo.BaseAddress };
        using (var page = await browser.GetAsync($"/raft?access_token={Token}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Raft console", await page.Content.ReadAsStringAsync());
        }
        foreach (var path in new[] { "/raft/raft.js", "/api/status", "/" })
        {
            using var response = await browser.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }
}
