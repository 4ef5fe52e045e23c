using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Raft.Hosting;
using Orleans.Raft.Silo;
using Orleans.Runtime.Messaging;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// The API's error details when grain calls fail: one sentence for people, no exception type or stack frame; the
/// exception goes to the server's log. The grains are faked, so the failures are exactly those a cluster produces.
/// </summary>
public sealed class ProblemDetailTests
{
    // The shape of an Orleans rejection when a silo cannot be reached: the message embeds the inner exception.
    private const string Unreachable =
        "Forwarding failed: tried to forward message Request S127.0.0.1:11111:0*grn/KeyValueGatewayGrain/default " +
        "for 2 times after \"Unable to connect\". Exception: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to endpoint S127.0.0.1:11112:0. See InnerException\n" +
        " ---> System.Net.Sockets.SocketException (111): Connection refused\n" +
        "   at Orleans.Runtime.Messaging.ConnectionFactory.ConnectAsync(SiloAddress address, CancellationToken cancellationToken)\n" +
        "   at Orleans.Runtime.Messaging.ConnectionManager.ConnectAsync(SiloAddress address, ConnectionEntry entry)";

    public static TheoryData<string, string> Requests => new()
    {
        { "GET", "/api/kv/k" },
        { "PUT", "/api/kv/k" },
        { "DELETE", "/api/kv/k" },
        { "POST", "/api/append/k" },
        { "GET", "/api/status" },
        { "POST", "/api/replicas/r1/elect" },
        { "GET", "/api/faults" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task An_unreachable_silo_is_503_with_a_sentence_and_the_exception_in_the_log(string method, string path)
    {
        var exception = new ConnectionFailedException(Unreachable, new SocketException((int)SocketError.ConnectionRefused));
        await using var host = await FakeHost.StartAsync(FakeGrains.Failing(exception));
        using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("v") });

        var detail = await AssertPlainDetailAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("try again", detail);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && ReferenceEquals(e.Exception, exception));
    }

    [Fact]
    public async Task A_conflict_wrapping_another_exception_keeps_only_a_sentence()
    {
        var exception = new InvalidOperationException("System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()");
        await using var host = await FakeHost.StartAsync(FakeGrains.Failing(exception));
        using var response = await host.Client.GetAsync("/api/kv/k");

        await AssertPlainDetailAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(host.Logs.Entries, e => ReferenceEquals(e.Exception, exception));
    }

    [Fact]
    public async Task A_replicas_status_error_is_a_sentence()
    {
        var statuses = new[] { new ReplicaStatus { Group = "default", Replica = "r1", Error = Unreachable } };
        await using var host = await FakeHost.StartAsync(method => method.Name switch
        {
            nameof(IKeyValueGatewayGrain.GetStatus) => FakeGrains.Completed(statuses),
            nameof(IFaultControlGrain.GetFaults) => FakeGrains.Completed(GroupFaults.None),
            _ => throw new NotSupportedException(method.Name),
        });
        using var response = await host.Client.GetAsync("/api/status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = status.RootElement.GetProperty("replicas")[0].GetProperty("error").GetString();
        AssertSentence(error);
    }

    [Fact]
    public async Task An_unreachable_replica_reports_null_rather_than_its_last_numbers()
    {
        var stale = new ReplicaStatus { Group = "default", Replica = "r1", Running = true, Role = ReplicaRole.Leader, CurrentTerm = 3, LeaderId = "r1", CommitIndex = 20, LastApplied = 20, LastLogIndex = 20, LastLogTerm = 3, Error = Unreachable };
        await using var host = await FakeHost.StartAsync(method => method.Name switch
        {
            nameof(IKeyValueGatewayGrain.GetStatus) => FakeGrains.Completed(new[] { stale }),
            nameof(IFaultControlGrain.GetFaults) => FakeGrains.Completed(GroupFaults.None),
            _ => throw new NotSupportedException(method.Name),
        });
        using var response = await host.Client.GetAsync("/api/status");

        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var r1 = status.RootElement.GetProperty("replicas")[0];
        foreach (var field in new[] { "term", "leader", "commitIndex", "appliedIndex", "lastLogIndex", "lastLogTerm" })
            Assert.True(r1.GetProperty(field).ValueKind == JsonValueKind.Null, $"{field} is {r1.GetProperty(field)}");
        AssertSentence(r1.GetProperty("error").GetString());
    }

    private static async Task<string> AssertPlainDetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        AssertSentence(detail);
        return detail!;
    }

    private static void AssertSentence(string? detail)
    {
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain("   at ", detail);
        Assert.DoesNotContain("\n", detail);
        Assert.DoesNotContain("Exception", detail);
        Assert.DoesNotContain("Orleans.", detail);
        Assert.DoesNotContain("System.", detail);
    }

    /// <summary>The real API routes on Kestrel at 127.0.0.1:0, over fake grains.</summary>
    private sealed class FakeHost : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeHost(WebApplication app, LogCollector logs)
        {
            _app = app;
            Logs = logs;
            Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        }

        public HttpClient Client { get; }
        public LogCollector Logs { get; }

        public static async Task<FakeHost> StartAsync(Func<MethodInfo, Task> answer)
        {
            var logs = new LogCollector();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Services.AddProblemDetails();
            builder.Services.AddSingleton(FakeGrains.Create(answer));
            builder.Services.AddMetrics();
            builder.Services.AddSingleton<RaftMetrics>();
            builder.Services.AddSingleton<RaftMetricsReader>();
            builder.Services.Configure<RaftOptions>(_ => { });
            builder.Services.AddSingleton<RaftGroupLayout>();
            builder.Services.AddSingleton(new ConsoleTimeline(TimeProvider.System));
            // As a silo host that calls AddRaftFaultInjection: the fault routes then reach the (failing) grains.
            builder.Services.AddSingleton<Orleans.Raft.Faults.FaultInjection>();
            var app = builder.Build();
            app.MapRaftApi();
            await app.StartAsync();
            return new FakeHost(app, logs);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
