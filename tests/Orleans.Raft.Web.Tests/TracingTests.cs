using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Web.Tests;

/// <summary>Traces of client requests, exported by the silo's own OpenTelemetry set-up to the in-memory exporter.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_write_is_one_trace_from_the_gateway_to_the_leaders_commit_and_apply_with_group_replica_index_and_outcome()
    {
        var spans = new List<Activity>();
        await using var silo = await WebSilo.StartAsync(Exporting(spans), "--Telemetry:Tracing", "true");

        using var put = await silo.Client.PutAsync("/api/kv/traced", new StringContent("v"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var body = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        var index = body.RootElement.GetProperty("index").GetInt64();
        var servedBy = body.RootElement.GetProperty("servedBy").GetString();

        var request = await SpanAsync(spans, s => s.OperationName == "raft.request" && Tag(s, RaftTracing.GroupTag) == silo.Group && Tag(s, RaftTracing.OperationTag) == "Set");
        Assert.Equal("Ok", Tag(request, RaftTracing.StatusTag));
        Assert.Equal(servedBy, Tag(request, RaftTracing.ReplicaTag));
        Assert.Equal(index.ToString(), Tag(request, RaftTracing.IndexTag));
        Assert.Equal(ActivityKind.Server, request.Kind);

        // The leader's span of the proposal is in the same trace, below the request's, through Orleans' grain calls.
        var propose = await SpanAsync(spans, s => s.OperationName == "raft.propose" && s.TraceId == request.TraceId && Tag(s, RaftTracing.IndexTag) == index.ToString());
        Assert.Equal(silo.Group, Tag(propose, RaftTracing.GroupTag));
        Assert.Equal(servedBy, Tag(propose, RaftTracing.ReplicaTag));
        Assert.Equal("Ok", Tag(propose, RaftTracing.StatusTag));
        Assert.NotNull(Tag(propose, RaftTracing.TermTag));
        Assert.Equal(["raft.committed", "raft.applied"], propose.Events.Select(e => e.Name));
        Assert.True(propose.Events.First().Timestamp <= propose.Events.Last().Timestamp);
        Assert.True(IsBelow(propose, request, Snapshot(spans)), "the propose span does not descend from the request span");
    }

    [Fact]
    public async Task A_get_is_traced_to_the_replica_that_confirmed_its_read_index()
    {
        var spans = new List<Activity>();
        await using var silo = await WebSilo.StartAsync(Exporting(spans), "--Telemetry:Tracing", "true");
        using (var put = await silo.Client.PutAsync("/api/kv/read-traced", new StringContent("v"))) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var get = await silo.Client.GetAsync("/api/kv/read-traced")) Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        var request = await SpanAsync(spans, s => s.OperationName == "raft.request" && Tag(s, RaftTracing.GroupTag) == silo.Group && Tag(s, RaftTracing.OperationTag) == "Get");
        var read = await SpanAsync(spans, s => s.OperationName == "raft.read" && s.TraceId == request.TraceId && Tag(s, RaftTracing.StatusTag) == "Ok");
        Assert.Equal("read_index", Tag(read, RaftTracing.ReadPathTag));
        Assert.Equal(Tag(request, RaftTracing.ReplicaTag), Tag(read, RaftTracing.ReplicaTag));
        Assert.NotNull(Tag(read, RaftTracing.IndexTag));
    }

    [Fact]
    public async Task A_request_that_fails_is_marked_as_an_error_and_one_that_is_answered_no_is_not()
    {
        var spans = new List<Activity>();
        await using var silo = await WebSilo.StartAsync(Exporting(spans), "--Telemetry:Tracing", "true");
        var gateway = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyValueGatewayGrain>(silo.Group);
        // A compare-and-set of a key that is not there is answered (CompareFailed): not an error.
        var compare = await gateway.Execute(KvRequest.CompareAndSet("absent", "old", "new"));
        Assert.Equal(KvStatus.CompareFailed, compare.Status);

        // Three of the five replicas stopped: no write can commit, and the request fails.
        foreach (var replica in new[] { "r1", "r2", "r3" })
        {
            using var stop = await silo.Client.PostAsync($"/api/replicas/{replica}/stop", null);
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        var failed = await gateway.Execute(KvRequest.Set("no-quorum", "v"));
        Assert.NotEqual(KvStatus.Ok, failed.Status);

        var compared = await SpanAsync(spans, s => s.OperationName == "raft.request" && Tag(s, RaftTracing.GroupTag) == silo.Group && Tag(s, RaftTracing.OperationTag) == "CompareAndSet");
        Assert.Equal("CompareFailed", Tag(compared, RaftTracing.StatusTag));
        Assert.Equal(ActivityStatusCode.Unset, compared.Status);
        var set = await SpanAsync(spans, s => s.OperationName == "raft.request" && Tag(s, RaftTracing.GroupTag) == silo.Group && Tag(s, RaftTracing.OperationTag) == "Set");
        Assert.Equal(failed.Status.ToString(), Tag(set, RaftTracing.StatusTag));
        Assert.Equal(ActivityStatusCode.Error, set.Status);
        Assert.Equal(failed.Error, set.StatusDescription);
    }

    [Fact]
    public async Task With_a_sample_ratio_of_zero_no_request_is_traced()
    {
        var spans = new List<Activity>();
        await using var silo = await WebSilo.StartAsync(Exporting(spans), "--Telemetry:Tracing", "true", "--Telemetry:TraceSampleRatio", "0");
        for (var i = 0; i < 5; i++)
        {
            using var put = await silo.Client.PutAsync($"/api/kv/unsampled-{i}", new StringContent("v"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        // The same writes with a ratio of 1 are traced (the first test); here none of this group's is.
        Assert.DoesNotContain(Snapshot(spans), s => Tag(s, RaftTracing.GroupTag) == silo.Group);
    }

    [Theory]
    [InlineData("--Telemetry:TraceSampleRatio", "1.5")]
    [InlineData("--Telemetry:Tracing", "maybe")]
    public void Bad_tracing_settings_stop_the_silo_at_start_with_the_setting_named(string key, string value)
    {
        var error = Assert.Throws<Orleans.Raft.Silo.SiloConfigurationException>(() =>
            Orleans.Raft.Silo.SiloWebApp.Build(WebSilo.Arguments(out _, "--Telemetry:Tracing", "true", key, value)));
        Assert.Contains(key.TrimStart('-'), error.Message);
    }

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> Exporting(List<Activity> spans) =>
        builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    // The exporter adds from its own thread: a copy taken meanwhile may end in a slot not yet filled.
    private static Activity[] Snapshot(List<Activity> spans) => [.. spans.ToArray().Where(s => s is not null)];

    /// <summary>Waits for a span to be exported: a span is exported when it ends, which may be just after the answer.</summary>
    private static async Task<Activity> SpanAsync(List<Activity> spans, Func<Activity, bool> match)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (Snapshot(spans).FirstOrDefault(match) is { } span) return span;
            if (cts.IsCancellationRequested)
                Assert.Fail($"no such span among {Snapshot(spans).Length}: {string.Join("\n", Snapshot(spans).Select(s => $"{s.Source.Name} {s.OperationName} {s.TraceId} {s.SpanId} parent {s.ParentSpanId} {string.Join(",", s.Tags)}"))}");
            await Task.Delay(20);
        }
    }

    private static bool IsBelow(Activity span, Activity ancestor, Activity[] all)
    {
        var byId = all.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var current = span; current.ParentSpanId != default;)
        {
            if (current.ParentSpanId == ancestor.SpanId) return true;
            if (!byId.TryGetValue(current.ParentSpanId, out var parent)) return false;
            current = parent;
        }
        return false;
    }
}
