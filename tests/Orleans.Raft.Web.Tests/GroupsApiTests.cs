using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orleans.Raft.Web.Tests;

/// <summary>A lone node whose store is split over three groups (--groups 3): the API's view of the groups and its per-group routes.</summary>
public sealed class GroupsApiTests(GroupsApiTests.ShardedSiloFixture fixture) : IClassFixture<GroupsApiTests.ShardedSiloFixture>
{
    public sealed class ShardedSiloFixture : IAsyncLifetime
    {
        public WebSilo Silo { get; private set; } = null!;

        public async Task InitializeAsync() => Silo = await WebSilo.StartAsync("--groups", "3");

        public async Task DisposeAsync() => await Silo.DisposeAsync();
    }

    private HttpClient Http => fixture.Silo.Client;
    private string Store => fixture.Silo.Group;
    private string[] Groups => [$"{Store}-0", $"{Store}-1", $"{Store}-2"];

    [Fact]
    public async Task Status_has_a_groups_array_with_every_groups_leader_and_the_leaders_per_node()
    {
        using var status = await fixture.Silo.StatusAsync();
        var root = status.RootElement;
        Assert.Equal(Store, root.GetProperty("store").GetString());
        Assert.Equal(Store, root.GetProperty("group").GetString());
        // No group named: no one leader, and every group's replicas, each with its group.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("leader").ValueKind);
        var replicas = root.GetProperty("replicas").EnumerateArray().ToArray();
        Assert.Equal(15, replicas.Length);
        Assert.Equal(Groups, replicas.Select(r => r.GetProperty("group").GetString()).Distinct());

        var groups = root.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(Groups, groups.Select(g => g.GetProperty("name").GetString()));
        foreach (var g in groups)
        {
            Assert.Equal(JsonValueKind.String, g.GetProperty("leader").ValueKind);
            Assert.Equal("n1", g.GetProperty("leaderNode").GetString());
            Assert.True(g.GetProperty("term").GetInt64() >= 1);
            Assert.True(g.GetProperty("commitIndex").GetInt64() >= 1);
            Assert.True(g.GetProperty("lag").GetInt64() >= 0);
            Assert.Equal(5, g.GetProperty("members").GetArrayLength());
        }
        Assert.Equal(3, root.GetProperty("leadersPerNode").GetProperty("n1").GetInt32());
    }

    [Fact]
    public async Task Status_of_a_named_group_is_that_groups_detail()
    {
        using var response = await Http.GetAsync($"/api/status?group={Groups[1]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Groups[1], root.GetProperty("group").GetString());
        Assert.Equal(JsonValueKind.String, root.GetProperty("leader").ValueKind);
        var replicas = root.GetProperty("replicas").EnumerateArray().ToArray();
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], replicas.Select(r => r.GetProperty("name").GetString()));
        Assert.All(replicas, r => Assert.Equal(Groups[1], r.GetProperty("group").GetString()));
        Assert.Equal(5, root.GetProperty("configuration").GetProperty("voters").GetArrayLength());
        Assert.Equal(3, root.GetProperty("groups").GetArrayLength());
    }

    [Fact]
    public async Task Keys_go_through_the_store_and_each_is_committed_by_its_own_group()
    {
        var shards = new ShardMap(Store, 3);
        var keys = Enumerable.Range(0, 12).Select(i => $"k{i}").ToArray();
        var before = await CommitsAsync();
        foreach (var key in keys)
        {
            using var put = await Http.PutAsync($"/api/kv/{key}", new StringContent($"v-{key}"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        foreach (var key in keys) Assert.Equal($"v-{key}", await Http.GetStringAsync($"/api/kv/{key}"));
        var after = await CommitsAsync();
        // Each write is an entry in its key's group's log (reads, served with ReadIndex, add none).
        foreach (var group in Groups)
        {
            var mine = keys.Count(k => shards.GroupOf(k) == group);
            Assert.True(after[group] - before[group] >= mine, $"{group} committed {after[group] - before[group]} entries for {mine} keys");
        }
        Assert.Equal(Groups, keys.Select(shards.GroupOf).Distinct().Order());
    }

    private async Task<Dictionary<string, long>> CommitsAsync()
    {
        using var status = await fixture.Silo.StatusAsync();
        return status.RootElement.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("name").GetString()!, g => g.GetProperty("commitIndex").GetInt64());
    }

    [Fact]
    public async Task A_membership_call_on_the_store_is_a_400_that_says_how_to_name_a_group()
    {
        using (var members = await Http.GetAsync("/api/members"))
        {
            await ApiTests.AssertProblemAsync(members, HttpStatusCode.BadRequest,
                $"'{Store}' is a store of 3 groups ({Groups[0]} … {Groups[2]}), and member list acts on one group: name it (--group {Groups[0]} on the client, ?group={Groups[0]} in the HTTP API); 'status' lists the groups");
        }
        using (var heal = await Http.PostAsync("/api/faults/heal", null))
        {
            await ApiTests.AssertProblemAsync(heal, HttpStatusCode.BadRequest, "and a fault acts on one group");
        }
        using var named = await Http.GetAsync($"/api/members?group={Groups[2]}");
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        var list = await named.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Groups[2], list.GetProperty("group").GetString());
        Assert.Equal(5, list.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Elect_names_its_group()
    {
        using var status = await Http.GetFromJsonAsync<JsonDocument>($"/api/status?group={Groups[0]}");
        var leader = status!.RootElement.GetProperty("leader").GetString();
        var target = leader == "r4" ? "r3" : "r4";
        // A transfer has an election timeout to finish. On a machine loaded by parallel test projects it may run out, or
        // lose the race to the old leader: the API then answers 409 with what happened, for this group, and an operator
        // tries again. Up to three attempts; each refusal must still name the transfer in this group.
        HttpResponseMessage elect;
        var refusals = new List<string>();
        while (true)
        {
            elect = await Http.PostAsync($"/api/replicas/{target}/elect?group={Groups[0]}", null);
            if (elect.StatusCode != HttpStatusCode.Conflict || refusals.Count == 2) break;
            var refusal = await elect.Content.ReadAsStringAsync();
            Assert.True(refusal.Contains($"in group '{Groups[0]}'", StringComparison.Ordinal), refusal);
            refusals.Add(refusal);
            elect.Dispose();
        }
        var termBefore = LeaderTerm(status.RootElement);
        using (elect)
        {
            var body = await elect.Content.ReadAsStringAsync();
            Assert.True(elect.StatusCode == HttpStatusCode.OK, $"{body}; before: {string.Join("; ", refusals)}");
            Assert.Equal(Groups[0], JsonDocument.Parse(body).RootElement.GetProperty("group").GetString());
        }
        // The target won a term after termBefore. A loaded machine may stall it past an election timeout, and then
        // another replica wins a later term still: the status shows the target, or a leader of a term after that.
        using var after = await Http.GetFromJsonAsync<JsonDocument>($"/api/status?group={Groups[0]}");
        var leaderAfter = after!.RootElement.GetProperty("leader").GetString();
        Assert.True(leaderAfter == target || LeaderTerm(after.RootElement) >= termBefore + 2,
            $"leader {leaderAfter} at term {LeaderTerm(after.RootElement)} after {target} was elected; before: {leader} at term {termBefore}");
    }

    private static long LeaderTerm(JsonElement status)
    {
        var leader = status.GetProperty("leader").GetString();
        return status.GetProperty("replicas").EnumerateArray().Where(r => r.GetProperty("name").GetString() == leader)
            .Select(r => r.GetProperty("term").GetInt64()).Single();
    }

    [Fact]
    public async Task Draining_a_node_with_no_replica_reports_each_group_it_touched_none()
    {
        using var drain = await Http.PostAsync("/api/nodes/nosuch/drain", null);
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        var body = await drain.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"node nosuch holds no replica of any group of store '{Store}'", body.GetProperty("result").GetString());
        Assert.Equal(0, body.GetProperty("groups").GetArrayLength());
        using var one = await Http.PostAsync($"/api/nodes/nosuch/drain?group={Groups[1]}", null);
        Assert.Equal($"node nosuch holds no replica of group '{Groups[1]}'", (await one.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
    }
}
