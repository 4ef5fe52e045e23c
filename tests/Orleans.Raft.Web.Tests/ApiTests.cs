using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>The JSON API against the real web app on Kestrel: happy paths and every error status.</summary>
public sealed class ApiTests(WebSiloFixture fixture) : IClassFixture<WebSiloFixture>
{
    private HttpClient Http => fixture.Silo.Client;

    [Fact]
    public async Task Set_get_as_text_and_json_then_delete()
    {
        using (var put = await Http.PutAsync("/api/kv/greeting", new StringContent("héllo wörld", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var body = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("greeting", body.GetProperty("key").GetString());
            Assert.True(body.GetProperty("index").GetInt64() > 0);
        }

        using (var get = await Http.GetAsync("/api/kv/greeting"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
            Assert.Equal("héllo wörld", await get.Content.ReadAsStringAsync());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/kv/greeting"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var get = await Http.SendAsync(request);
            Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
            var body = await get.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("greeting", body.GetProperty("key").GetString());
            Assert.Equal("héllo wörld", body.GetProperty("value").GetString());
        }

        using (var delete = await Http.DeleteAsync("/api/kv/greeting"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }
        using (var gone = await Http.GetAsync("/api/kv/greeting"))
        {
            await AssertProblemAsync(gone, HttpStatusCode.NotFound, "No such key");
        }
    }

    [Fact]
    public async Task A_get_takes_consistency_l_or_s_and_refuses_any_other_value()
    {
        long index;
        using (var put = await Http.PutAsync("/api/kv/consistent", new StringContent("v")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            index = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("index").GetInt64();
        }
        // Every running replica has applied it, so a serializable get, from whichever answers, must see it.
        using var applied = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using var status = await fixture.Silo.StatusAsync();
            var running = status.RootElement.GetProperty("replicas").EnumerateArray().Where(r => r.GetProperty("running").GetBoolean()).ToArray();
            if (running.Length > 0 && running.All(r => r.GetProperty("appliedIndex").GetInt64() >= index)) break;
            await Task.Delay(50, applied.Token);
        }

        foreach (var query in new[] { "", "?consistency=l", "?consistency=s", "?consistency=linearizable", "?consistency=serializable", "?consistency=S" })
        {
            using var get = await Http.GetAsync($"/api/kv/consistent{query}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("v", await get.Content.ReadAsStringAsync());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/kv/consistent?consistency=s"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var get = await Http.SendAsync(request);
            var body = await get.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("v", body.GetProperty("value").GetString());
            Assert.StartsWith("r", body.GetProperty("servedBy").GetString());
            Assert.True(body.GetProperty("index").GetInt64() >= index);
        }
        using (var missing = await Http.GetAsync("/api/kv/never-set-anywhere?consistency=s"))
        {
            await AssertProblemAsync(missing, HttpStatusCode.NotFound, "never-set-anywhere");
        }

        foreach (var (query, given) in new[] { ("x", "x"), ("", ""), ("s&consistency=l", "s,l"), ("sequential", "sequential") })
        {
            using var bad = await Http.GetAsync($"/api/kv/consistent?consistency={query}");
            await AssertProblemAsync(bad, HttpStatusCode.BadRequest, $"'consistency' must be l (linearizable, the default) or s (serializable), not '{given}'");
        }
    }

    [Fact]
    public async Task Append_extends_the_value_and_creates_a_missing_key()
    {
        foreach (var part in new[] { "a/", "b" })
        {
            using var post = await Http.PostAsync("/api/append/app/log", new StringContent(part));
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }
        using var get = await Http.GetAsync("/api/kv/app/log");
        Assert.Equal("a/b", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keys_may_contain_slashes_and_values_may_be_empty()
    {
        using (var put = await Http.PutAsync("/api/kv/a/b/c", new ByteArrayContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        using var get = await Http.GetAsync("/api/kv/a/b/c");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("", await get.Content.ReadAsStringAsync());
    }

    public static TheoryData<string> AwkwardKeys => new() { "x/y", "50%", "a%2Fb", "two words", "a+b", "/leading", "trailing/", "ключ/値 ü" };

    [Theory]
    [MemberData(nameof(AwkwardKeys))]
    public async Task Any_key_round_trips_percent_encoded(string key)
    {
        var escaped = Uri.EscapeDataString(key);
        using (var put = await Http.PutAsync($"/api/kv/{escaped}", new StringContent("v")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(key, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        }
        using (var append = await Http.PostAsync($"/api/append/{escaped}", new StringContent("+w")))
        {
            Assert.Equal(HttpStatusCode.OK, append.StatusCode);
            Assert.Equal(key, (await append.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/kv/{escaped}"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var get = await Http.SendAsync(request);
            var body = await get.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(key, body.GetProperty("key").GetString());
            Assert.Equal("v+w", body.GetProperty("value").GetString());
        }
        using (var delete = await Http.DeleteAsync($"/api/kv/{escaped}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
            Assert.Equal(key, (await delete.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        }
        using var gone = await Http.GetAsync($"/api/kv/{escaped}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_key_is_the_same_however_it_is_escaped()
    {
        using (await Http.PutAsync("/api/kv/same/as%2Fslash", new StringContent("1"))) { }
        using (await Http.PutAsync("/api/kv/plus+sign", new StringContent("2"))) { }
        using (await Http.PutAsync("/api/kv//double", new StringContent("3"))) { }
        using (await Http.PutAsync("/api/kv/%41%42", new StringContent("4"))) { }
        foreach (var (path, value) in new[] { ("/api/kv/same%2Fas/slash", "1"), ("/api/kv/plus%2Bsign", "2"), ("/api/kv/%2Fdouble", "3"), ("/api/kv/AB", "4") })
        {
            using var get = await Http.GetAsync(path);
            Assert.True(HttpStatusCode.OK == get.StatusCode, $"{path}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
            Assert.Equal(value, await get.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("/api/kv/%zz")]
    [InlineData("/api/kv/a%2")]
    [InlineData("/api/kv/%ff%fe")]
    [InlineData("/api/append/%C3")]
    public async Task A_malformed_escape_or_invalid_UTF8_is_400(string path)
    {
        // Sent as raw bytes: HttpClient would re-escape a stray '%'.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Silo.BaseAddress.Host, fixture.Silo.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var method = path.StartsWith("/api/append/", StringComparison.Ordinal) ? "POST" : "GET";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("percent-encoded UTF-8", answer);
    }

    [Fact]
    public async Task Missing_key_is_404_for_get_and_delete()
    {
        using var get = await Http.GetAsync("/api/kv/never-set");
        await AssertProblemAsync(get, HttpStatusCode.NotFound, "No such key: never-set");
        using var delete = await Http.DeleteAsync("/api/kv/never-set");
        await AssertProblemAsync(delete, HttpStatusCode.NotFound, "never-set");
    }

    [Fact]
    public async Task Bad_input_is_400()
    {
        using (var control = await Http.GetAsync("/api/kv/a%01b"))
        {
            await AssertProblemAsync(control, HttpStatusCode.BadRequest, "control characters");
        }
        using (var notUtf8 = await Http.PutAsync("/api/kv/bytes", new ByteArrayContent([0xff, 0xfe, 0x41])))
        {
            await AssertProblemAsync(notUtf8, HttpStatusCode.BadRequest, "UTF-8");
        }
        using (var emptyKey = await Http.GetAsync("/api/kv/"))
        {
            await AssertProblemAsync(emptyKey, HttpStatusCode.BadRequest, "the key is empty");
        }
        using (var badJson = await Http.PostAsync("/api/faults/split", new StringContent("{not json", Encoding.UTF8, "application/json")))
        {
            await AssertProblemAsync(badJson, HttpStatusCode.BadRequest, "JSON");
        }
        using (var noReplicas = await Http.PostAsJsonAsync("/api/faults/split", new { name = "p", replicas = Array.Empty<string>() }))
        {
            await AssertProblemAsync(noReplicas, HttpStatusCode.BadRequest, "replicas");
        }
    }

    [Fact]
    public async Task Too_large_is_413()
    {
        // The fixture sets Raft:MaxKeyBytes 64 and Raft:MaxValueBytes 4096.
        using (var longKey = await Http.GetAsync("/api/kv/" + new string('k', 65)))
        {
            await AssertProblemAsync(longKey, HttpStatusCode.RequestEntityTooLarge, "the key is 65 bytes; the limit is 64 bytes");
        }
        using (var bigValue = await Http.PutAsync("/api/kv/big", new StringContent(new string('v', 4097))))
        {
            await AssertProblemAsync(bigValue, HttpStatusCode.RequestEntityTooLarge, "the limit is 4096 bytes");
        }
        // No Content-Length: the body is cut off as it is read.
        using (var chunked = new HttpRequestMessage(HttpMethod.Put, "/api/kv/big") { Content = new StreamContent(new UnknownLengthStream(100_000)) })
        {
            chunked.Headers.TransferEncodingChunked = true;
            using var response = await Http.SendAsync(chunked);
            await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "the limit is 4096 bytes");
        }
        using (var atLimit = await Http.PutAsync("/api/kv/big", new StringContent(new string('v', 4096))))
        {
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        }
    }

    [Fact]
    public async Task Status_lists_every_replica_with_one_leader()
    {
        using var status = await fixture.Silo.StatusAsync();
        var root = status.RootElement;
        Assert.Equal(fixture.Silo.Group, root.GetProperty("group").GetString());
        var replicas = root.GetProperty("replicas").EnumerateArray().ToArray();
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], replicas.Select(r => r.GetProperty("name").GetString()));
        foreach (var r in replicas)
        {
            foreach (var field in new[] { "silo", "role", "term", "leader", "commitIndex", "appliedIndex", "lastLogIndex", "snapshotIndex", "running" })
                Assert.True(r.TryGetProperty(field, out _), $"missing {field}");
        }
        Assert.True(root.GetProperty("faultInjection").GetBoolean());
    }

    [Fact]
    public async Task Metrics_report_counters_histogram_and_gauges()
    {
        using (await Http.PutAsync("/api/kv/metered", new StringContent("1"))) { }
        using var response = await Http.GetAsync("/api/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var m = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Orleans.Raft", m.GetProperty("meter").GetString());
        var counters = m.GetProperty("counters");
        Assert.True(counters.GetProperty("raft.elections.started").GetInt64() >= 1);
        Assert.True(counters.GetProperty("raft.elections.won").GetInt64() >= 1);
        Assert.True(counters.GetProperty("raft.proposals").GetInt64() >= 1);
        Assert.True(m.GetProperty("histograms").GetProperty("raft.commit.latency").GetProperty("count").GetInt64() >= 1);
        var gauges = m.GetProperty("gauges");
        foreach (var gauge in new[] { "raft.term", "raft.commit.index", "raft.apply.lag" })
        {
            var values = gauges.GetProperty(gauge).EnumerateArray().ToArray();
            Assert.Equal(5, values.Length);
            Assert.All(values, v => Assert.Equal(fixture.Silo.Group, v.GetProperty("group").GetString()));
        }
        Assert.All(gauges.GetProperty("raft.term").EnumerateArray(), v => Assert.True(v.GetProperty("value").GetInt64() >= 1));
    }

    [Fact]
    public async Task Unknown_replica_is_404_with_the_members()
    {
        foreach (var path in new[] { "/api/replicas/r9/elect", "/api/replicas/r9/stop", "/api/replicas/r9/start" })
        {
            using var response = await Http.PostAsync(path, null);
            await AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown replica 'r9'");
        }
        using var split = await Http.PostAsJsonAsync("/api/faults/split", new { name = "p", replicas = new[] { "r1", "zz" } });
        await AssertProblemAsync(split, HttpStatusCode.NotFound, "'zz'");
        using var join = await Http.PostAsync("/api/faults/join/nosuch", null);
        await AssertProblemAsync(join, HttpStatusCode.NotFound, "no partition named 'nosuch'");
        using var route = await Http.GetAsync("/api/nosuch");
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Faults_split_join_heal_stop_start()
    {
        using (var split = await Http.PostAsJsonAsync("/api/faults/split", new { name = "lonely", replicas = new[] { "r5" } }))
        {
            Assert.Equal(HttpStatusCode.OK, split.StatusCode);
            var faults = await split.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["r5"], faults.GetProperty("partitions").GetProperty("lonely").EnumerateArray().Select(e => e.GetString()));
        }
        using (var join = await Http.PostAsync("/api/faults/join/lonely", null))
        {
            Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        }
        using (var split = await Http.PostAsJsonAsync("/api/faults/split", new { name = "again", replicas = new[] { "r4" } })) { }
        using (var heal = await Http.PostAsync("/api/faults/heal", null))
        {
            Assert.Equal(HttpStatusCode.OK, heal.StatusCode);
        }
        using (var stop = await Http.PostAsync("/api/replicas/r4/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        using (var faults = await Http.GetAsync("/api/faults"))
        {
            var body = await faults.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Empty(body.GetProperty("partitions").EnumerateObject());
            Assert.Equal(["r4"], body.GetProperty("stopped").EnumerateArray().Select(e => e.GetString()));
        }
        using (var status = await fixture.Silo.StatusAsync())
        {
            var r4 = status.RootElement.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "r4");
            Assert.False(r4.GetProperty("running").GetBoolean());
        }
        using (var elect = await Http.PostAsync("/api/replicas/r4/elect", null))
        {
            await AssertProblemAsync(elect, HttpStatusCode.Conflict, "r4 is stopped");
        }
        using (var metrics = await Http.GetAsync("/api/metrics"))
        {
            // A stopped replica's gauges stop reporting.
            var terms = (await metrics.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gauges").GetProperty("raft.term");
            Assert.DoesNotContain("r4", terms.EnumerateArray().Select(v => v.GetProperty("replica").GetString()));
        }
        using (var start = await Http.PostAsync("/api/replicas/r4/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }
        using (var status = await fixture.Silo.StatusAsync())
        {
            var r4 = status.RootElement.GetProperty("replicas").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "r4");
            Assert.True(r4.GetProperty("running").GetBoolean());
        }
    }

    [Fact]
    public async Task A_stopped_replica_reports_null_rather_than_stale_numbers()
    {
        using (await Http.PutAsync("/api/kv/before-stop", new StringContent("v"))) { }
        var leader = await fixture.Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var stopped = leader == "r2" ? "r3" : "r2";
        using (var stop = await Http.PostAsync($"/api/replicas/{stopped}/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }
        try
        {
            using var status = await fixture.Silo.StatusAsync();
            var replicas = status.RootElement.GetProperty("replicas").EnumerateArray().ToArray();
            var numbers = new[] { "term", "leader", "votedFor", "commitIndex", "appliedIndex", "lastLogIndex", "lastLogTerm", "snapshotIndex" };
            var down = replicas.Single(r => r.GetProperty("name").GetString() == stopped);
            Assert.False(down.GetProperty("running").GetBoolean());
            foreach (var field in numbers) Assert.True(down.GetProperty(field).ValueKind == JsonValueKind.Null, $"{stopped}.{field} is {down.GetProperty(field)}");
            var up = replicas.Single(r => r.GetProperty("name").GetString() == leader);
            Assert.True(up.GetProperty("term").GetInt64() >= 1);
            Assert.True(up.GetProperty("appliedIndex").GetInt64() >= 1);
            Assert.Equal(leader, up.GetProperty("leader").GetString());
        }
        finally
        {
            using (await Http.PostAsync($"/api/replicas/{stopped}/start", null)) { }
        }
    }

    [Fact]
    public async Task Elect_moves_the_leadership()
    {
        var leader = await fixture.Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var other = leader == "r1" ? "r2" : "r1";
        using var elect = await Http.PostAsync($"/api/replicas/{other}/elect", null);
        Assert.Equal(HttpStatusCode.OK, elect.StatusCode);
        var next = await fixture.Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10), other: leader);
        Assert.NotEqual(leader, next);
    }

    [Fact]
    public async Task Members_list_add_transfer_remove_and_refusals()
    {
        using (var list = await Http.GetAsync("/api/members"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            var body = await list.Content.ReadFromJsonAsync<JsonElement>();
            var members = body.GetProperty("members").EnumerateArray().ToArray();
            Assert.Equal(["r1", "r2", "r3", "r4", "r5"], members.Select(m => m.GetProperty("replica").GetString()).Order());
            Assert.All(members, m => Assert.Equal("voter", m.GetProperty("role").GetString()));
            Assert.False(body.GetProperty("changePending").GetBoolean());
        }
        string node;
        using (var status = await fixture.Silo.StatusAsync())
        {
            node = status.RootElement.GetProperty("replicas")[0].GetProperty("node").GetString()!;
            Assert.Equal(5, status.RootElement.GetProperty("configuration").GetProperty("voters").GetArrayLength());
        }

        // One node holds all five: no spare node, so the node must be named.
        using (var add = await Http.PostAsync("/api/members", null))
        {
            await AssertProblemAsync(add, HttpStatusCode.Conflict, $"every live node already holds a replica of group '{fixture.Silo.Group}'");
        }
        using (var add = await Http.PostAsJsonAsync("/api/members", new { node }))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
            Assert.Contains($"added r6 on node {node} as a learner", (await add.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
        }
        using (var status = await fixture.Silo.StatusAsync())
        {
            Assert.Contains("r6", status.RootElement.GetProperty("configuration").GetProperty("voters").EnumerateArray().Select(v => v.GetString()));
        }
        using (var transfer = await Http.PostAsync("/api/leader/r6", null))
        {
            Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
            Assert.EndsWith(" to r6", (await transfer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
        }
        using (var remove = await Http.DeleteAsync("/api/members/r6"))
        {
            Assert.Equal(HttpStatusCode.OK, remove.StatusCode);
            Assert.StartsWith("moved leadership from r6 to ", (await remove.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
        }
        using (var remove = await Http.DeleteAsync("/api/members/r9"))
        {
            await AssertProblemAsync(remove, HttpStatusCode.NotFound, "unknown replica 'r9'");
        }
        using (var drain = await Http.PostAsync("/api/nodes/nosuch/drain", null))
        {
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
            Assert.Equal($"node nosuch holds no replica of group '{fixture.Silo.Group}'", (await drain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
        }
        using (var list = await Http.GetAsync("/api/members"))
        {
            var members = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("members").EnumerateArray();
            Assert.Equal(["r1", "r2", "r3", "r4", "r5"], members.Select(m => m.GetProperty("replica").GetString()).Order());
        }
    }

    [Fact]
    public async Task Member_events_list_each_step_and_refusal_in_order_after_a_sequence_number()
    {
        var before = await MemberEventsAsync(0);
        var epoch = before.GetProperty("epoch").GetString();
        var after = before.GetProperty("last").GetInt64();

        var leader = await fixture.Silo.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        var target = leader == "r1" ? "r2" : "r1";
        using (var transfer = await Http.PostAsync($"/api/leader/{target}", null))
        {
            Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        }
        using (var add = await Http.PostAsync("/api/members", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, add.StatusCode);
        }

        var page = await MemberEventsAsync(after);
        Assert.Equal(epoch, page.GetProperty("epoch").GetString());
        Assert.Equal(0, page.GetProperty("missed").GetInt64());
        var events = page.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(
            [
                ("leader transfer", $"transferring leadership from {leader} to {target}", false),
                ("leader transfer", $"{target} leads", false),
                ("member add", $"member add refused: every live node already holds a replica of group '{fixture.Silo.Group}'", true),
            ],
            events.Select(e => (e.GetProperty("operation").GetString(), Cut(e.GetProperty("text").GetString()!), e.GetProperty("refused").GetBoolean())));
        Assert.Equal([after + 1, after + 2, after + 3], events.Select(e => e.GetProperty("seq").GetInt64()));
        var times = events.Select(e => e.GetProperty("time").GetDateTimeOffset()).ToArray();
        Assert.Equal(times.Order(), times);
        Assert.Equal(after + 3, page.GetProperty("last").GetInt64());

        // Only what follows the number asked for.
        var rest = await MemberEventsAsync(after + 2);
        Assert.Equal([after + 3], rest.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Empty((await MemberEventsAsync(after + 3)).GetProperty("events").EnumerateArray());

        using var bad = await Http.GetAsync("/api/members/events?after=-1");
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "'after' must be a sequence number");

        // The refusal's reason goes on to name the nodes; the part before is what this test knows.
        static string Cut(string text) => text.Split(" (", 2)[0];
    }

    private async Task<JsonElement> MemberEventsAsync(long after)
    {
        using var response = await Http.GetAsync($"/api/members/events?after={after}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_console_and_the_Orleans_dashboard_share_the_port()
    {
        using (var console = await Http.GetAsync("/raft"))
        {
            Assert.Equal(HttpStatusCode.OK, console.StatusCode);
            Assert.Contains("<title>Raft console</title>", await console.Content.ReadAsStringAsync());
        }
        using (var script = await Http.GetAsync("/raft/raft.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }
        using var dashboard = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        using var counters = await Http.GetAsync("/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    /// <summary>A body of a given size whose length is not known up front, so it goes chunked.</summary>
    private sealed class UnknownLengthStream(int length) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, length - _position);
            Array.Fill(buffer, (byte)'x', offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
