using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>etcd's API over HTTP on the real silo app: ranges, transactions, leases, and watches as Server-Sent Events.</summary>
public sealed class StoreApiTests(WebSiloFixture fixture) : IClassFixture<WebSiloFixture>
{
    private HttpClient Client => fixture.Silo.Client;

    private async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<long> PutAsync(string key, string value, string query = "")
    {
        using var put = await Client.PutAsync($"/api/kv/{key}{query}", new StringContent(value));
        return (await JsonAsync(put)).GetProperty("revision").GetInt64();
    }

    [Fact]
    public async Task A_prefix_range_and_a_transaction_answer_with_revisions()
    {
        var r1 = await PutAsync("cfg/b", "2");
        var r2 = await PutAsync("cfg/a", "1");
        await PutAsync("cfh", "no");
        Assert.True(r2 > r1);

        var range = await JsonAsync(await Client.GetAsync("/api/range?prefix=cfg/&limit=1"));
        Assert.Equal((2, true), (range.GetProperty("count").GetInt32(), range.GetProperty("more").GetBoolean()));
        var kv = range.GetProperty("kvs").EnumerateArray().Single();
        Assert.Equal(("cfg/a", "1", r2, r2, 1), (kv.GetProperty("key").GetString(), kv.GetProperty("value").GetString(),
            kv.GetProperty("createRevision").GetInt64(), kv.GetProperty("modRevision").GetInt64(), kv.GetProperty("version").GetInt32()));

        var body = $$"""
            {"compares":[{"key":"cfg/a","target":"ModRevision","operator":"Equal","number":{{r2}}}],
             "success":[{"type":"Put","key":"cfg/a","value":"1b"},{"type":"Delete","key":"cfg/b","prevKv":true}],
             "failure":[{"type":"Range","key":"cfg/a"}]}
            """;
        var done = await JsonAsync(await Client.PostAsync("/api/txn", new StringContent(body, Encoding.UTF8, "application/json")));
        Assert.True(done.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, done.GetProperty("results")[1].GetProperty("deleted").GetInt32());
        Assert.Equal("2", done.GetProperty("results")[1].GetProperty("prevKvs")[0].GetProperty("value").GetString());
        var again = await JsonAsync(await Client.PostAsync("/api/txn", new StringContent(body, Encoding.UTF8, "application/json")));
        Assert.False(again.GetProperty("succeeded").GetBoolean());
        Assert.Equal("1b", again.GetProperty("results")[0].GetProperty("kvs")[0].GetProperty("value").GetString());

        using var broken = await Client.PostAsync("/api/txn", new StringContent("{\"compares\":[{\"key\":", Encoding.UTF8, "application/json"));
        await ApiTests.AssertProblemAsync(broken, HttpStatusCode.BadRequest, "not valid JSON");
        using var both = await Client.GetAsync("/api/range?prefix=a&from=b");
        await ApiTests.AssertProblemAsync(both, HttpStatusCode.BadRequest, "not both");
    }

    [Fact]
    public async Task A_lease_holds_its_keys_until_revoked_and_an_unknown_lease_is_404()
    {
        var granted = await JsonAsync(await Client.PostAsJsonAsync("/api/leases", new { ttl = 30 }));
        var id = granted.GetProperty("id").GetInt64();
        await PutAsync("svc/one", "up", $"?lease={id}");

        using var asJson = new HttpRequestMessage(HttpMethod.Get, "/api/kv/svc/one");
        asJson.Headers.Accept.ParseAdd("application/json");
        var got = await JsonAsync(await Client.SendAsync(asJson));
        Assert.Equal((id, 1), (got.GetProperty("lease").GetInt64(), got.GetProperty("version").GetInt32()));
        var described = await JsonAsync(await Client.GetAsync($"/api/leases/{id}"));
        Assert.Equal(["svc/one"], described.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.InRange(described.GetProperty("remaining").GetDouble(), 1, 30);
        var renewed = await JsonAsync(await Client.PostAsync($"/api/leases/{id}/keepalive", null));
        Assert.InRange(renewed.GetProperty("remaining").GetDouble(), 29, 30);
        var list = await JsonAsync(await Client.GetAsync("/api/leases"));
        Assert.Contains(id, list.GetProperty("leases").EnumerateArray().Select(l => l.GetProperty("id").GetInt64()));

        await JsonAsync(await Client.DeleteAsync($"/api/leases/{id}"));
        using (var gone = await Client.GetAsync("/api/kv/svc/one")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var unknown = await Client.PostAsync($"/api/leases/{id}/keepalive", null)) await ApiTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not found");
        using (var orphan = await Client.PutAsync($"/api/kv/svc/two?lease={id}", new StringContent("x"))) await ApiTests.AssertProblemAsync(orphan, HttpStatusCode.NotFound, "not found");
        using (var bad = await Client.PostAsJsonAsync("/api/leases", new { ttl = 0.01 })) await ApiTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "TTL");
    }

    [Fact]
    public async Task A_watch_streams_changes_as_server_sent_events_and_resumes_after_the_last_event_id()
    {
        var start = await PutAsync("feed/0", "zero");
        var events = await ReadEventsAsync($"/api/watch?prefix=feed/&rev={start}&prevKv=true", null, 3, async () =>
        {
            await PutAsync("feed/1", "one");
            await PutAsync("other", "unseen");
            using var delete = await Client.DeleteAsync("/api/kv/feed/0");
        });
        Assert.Equal(["put", "put", "delete"], events.Select(e => e.Event));
        Assert.Equal(["feed/0", "feed/1", "feed/0"], events.Select(e => e.Data.GetProperty("kv").GetProperty("key").GetString()));
        Assert.Equal("zero", events[2].Data.GetProperty("prevKv").GetProperty("value").GetString());
        Assert.Equal(start, long.Parse(events[0].Id));

        // An EventSource that reconnects sends the last id it saw: the stream goes on after it.
        var resumed = await ReadEventsAsync("/api/watch?prefix=feed/", events[0].Id, 2, () => Task.CompletedTask);
        Assert.Equal(events.Skip(1).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    private sealed record ServerEvent(string Id, string Event, JsonElement Data);

    private async Task<List<ServerEvent>> ReadEventsAsync(string url, string? lastEventId, int count, Func<Task> meanwhile)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await meanwhile();
        var events = new List<ServerEvent>();
        string id = "", type = "";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("the stream ended");
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(new ServerEvent(id, type, JsonDocument.Parse(line[6..]).RootElement));
        }
        return events;
    }
}
