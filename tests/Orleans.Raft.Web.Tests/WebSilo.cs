using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// The real silo web app (SiloWebApp) in this process: Kestrel on 127.0.0.1 at port 0, free silo and gateway ports,
/// in-memory storage and a group of its own (in-memory storage is shared by every silo in the process).
/// </summary>
public sealed class WebSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebSilo(WebApplication app, Uri baseAddress, string group, string? token)
    {
        _app = app;
        BaseAddress = baseAddress;
        Group = group;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) Client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    }

    public Uri BaseAddress { get; }

    /// <summary>The silo's services (its grain factory, say).</summary>
    public IServiceProvider Services => _app.Services;
    public string Group { get; }

    /// <summary>A client that sends the token, if the silo has one.</summary>
    public HttpClient Client { get; }

    /// <summary>The arguments that start a silo on free ports with in-memory storage; extra ones go last and win.</summary>
    public static string[] Arguments(out string group, params string[] extra)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        group = $"web{siloPort}";
        return
        [
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--primary-port", $"{siloPort}",
            "--dashboard-port", "0", "--Silo:ClusterId", $"web-{siloPort}", "--group", group,
            "--Raft:Storage", "InMemory", "--Raft:RequestTimeout", "00:00:02", "--Raft:EnableFaultInjection", "true",
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Orleans.Raft", "Warning",
            .. extra,
        ];
    }

    public static Task<WebSilo> StartAsync(params string[] extra) => StartAsync(configure: null, extra);

    /// <summary>Starts a silo whose host <paramref name="configure"/> adds to (a trace exporter, say).</summary>
    public static async Task<WebSilo> StartAsync(Action<WebApplicationBuilder>? configure, params string[] extra)
    {
        var args = Arguments(out var group, extra);
        var app = SiloWebApp.Build(args, configure);
        await app.StartAsync();
        var url = app.Urls.Single();
        var t = Array.LastIndexOf(args, "--access-token");
        var token = t >= 0 ? args[t + 1] : null;
        var silo = new WebSilo(app, new Uri(url), group, token);
        await silo.WaitForEveryGroupLeaderAsync(TimeSpan.FromSeconds(20));
        return silo;
    }

    /// <summary>Waits until every group of the store (one, unless --groups says otherwise) has a leader.</summary>
    public async Task WaitForEveryGroupLeaderAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            using (var status = await StatusAsync())
            {
                var groups = status.RootElement.GetProperty("groups").EnumerateArray().ToArray();
                if (groups.Length > 0 && groups.All(g => g.GetProperty("leader").ValueKind == JsonValueKind.String)) return;
            }
            await Task.Delay(50, cts.Token);
        }
    }

    /// <summary>The leader named by /api/status, or null.</summary>
    public async Task<string?> LeaderAsync()
    {
        using var status = await StatusAsync();
        return status.RootElement.GetProperty("leader").GetString();
    }

    public async Task<JsonDocument> StatusAsync()
    {
        using var response = await Client.GetAsync("/api/status");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task<string> WaitForLeaderAsync(TimeSpan timeout, string? other = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await LeaderAsync() is { } leader && leader != other) return leader;
            await Task.Delay(50, cts.Token);
        }
    }

    public async Task WaitForNoLeaderAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await LeaderAsync() is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                using var status = await StatusAsync();
                throw new TimeoutException($"a leader remained after {timeout}: {status.RootElement}");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One silo shared by the tests of a class.</summary>
public sealed class WebSiloFixture : IAsyncLifetime
{
    public WebSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        // Small limits, so the 413 tests send small bodies.
        Silo = await WebSilo.StartAsync("--Raft:MaxKeyBytes", "64", "--Raft:MaxValueBytes", "4096");

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
