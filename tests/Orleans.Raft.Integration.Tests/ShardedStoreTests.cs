using System.Text.Json;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Orleans.Raft.Store;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A store split over eight groups of three replicas on four nodes: keys spread over the groups and each key lives in
/// its group alone; a node's death leaves every group serving; requests that belong to one group are refused on the
/// store; the leader balancer evens out leaders; a node drain empties the node in every group.
/// </summary>
[Collection(ShardedClusterCollection.Name)]
public sealed class ShardedStoreTests(ShardedClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    private Task<(int Code, string Out, string Err)> CliAsync(params string[] args) => Cli.RunAsync(fixture.Client, args);

    [Fact]
    public async Task Keys_spread_over_the_groups_and_each_keys_reads_and_writes_go_to_its_group()
    {
        await fixture.WaitForLeadersAsync();
        Assert.Equal(fixture.Shards, await fixture.Gateway.GetShardMap());
        var keys = Enumerable.Range(0, 64).Select(i => $"spread-{i}").ToArray();
        var expected = new Dictionary<string, string?>();
        foreach (var key in keys)
        {
            Assert.Equal(KvStatus.Ok, (await fixture.Gateway.Set(key, $"v-{key}")).Status);
            expected[key] = $"v-{key}";
        }
        // Compare-and-set on every other key, delete every fourth, append to the rest: each through the store.
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            if (i % 4 == 0)
            {
                Assert.Equal(KvStatus.Ok, (await fixture.Gateway.Delete(key)).Status);
                expected[key] = null;
            }
            else if (i % 2 == 0)
            {
                Assert.Equal(KvStatus.CompareFailed, (await fixture.Gateway.CompareAndSet(key, "wrong", "x")).Status);
                Assert.Equal(KvStatus.Ok, (await fixture.Gateway.CompareAndSet(key, $"v-{key}", $"cas-{key}")).Status);
                expected[key] = $"cas-{key}";
            }
            else
            {
                Assert.Equal(KvStatus.Ok, (await fixture.Gateway.Append(key, "+")).Status);
                expected[key] += "+";
            }
        }
        foreach (var (key, value) in expected)
        {
            var got = await fixture.Gateway.Get(key);
            Assert.Equal(value is null ? KvStatus.NotFound : KvStatus.Ok, got.Status);
            Assert.Equal(value, got.Value);
        }

        // The keys spread: every group holds some.
        var byGroup = keys.GroupBy(fixture.Shards.GroupOf).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(fixture.Shards.Groups.Order(), byGroup.Keys.Order());

        // Each key is in its group's replicas, on each of them, and in no other group's.
        var groups = new Dictionary<string, RaftGroup>();
        foreach (var name in fixture.Shards.Groups)
        {
            groups[name] = await fixture.GroupAsync(name);
            await groups[name].WaitForConvergenceAsync();
        }
        foreach (var (key, value) in expected)
        {
            var home = fixture.Shards.GroupOf(key);
            foreach (var (name, group) in groups)
            {
                foreach (var replica in group.Members)
                {
                    var local = await group.Replica(replica).ReadLocal(key);
                    Assert.True((name == home ? value : null) == local, $"{key} (group {home}) reads '{local}' at {name}/{replica}");
                }
            }
            // The group's own gateway serves it, and another group's knows nothing of it.
            Assert.Equal(value, (await Grains.GetGrain<IKeyValueGatewayGrain>(home).Get(key)).Value);
            var other = fixture.Shards.GroupName((fixture.Shards.IndexOf(home) + 1) % ShardedClusterFixture.Groups);
            Assert.Equal(KvStatus.NotFound, (await Grains.GetGrain<IKeyValueGatewayGrain>(other).Get(key)).Status);
        }
    }

    [Fact]
    public async Task A_serializable_get_through_the_store_is_served_in_the_keys_group()
    {
        await fixture.WaitForLeadersAsync();
        // One key per group, each applied by every replica of its group: a serializable get from any of them sees it.
        var keys = fixture.Shards.Groups.Select(g => Enumerable.Range(0, 10_000).Select(i => $"serial-{i}").First(k => fixture.Shards.GroupOf(k) == g)).ToArray();
        foreach (var key in keys)
        {
            var set = await fixture.Gateway.Set(key, $"v-{key}");
            Assert.Equal(KvStatus.Ok, set.Status);
            var group = Grains.GetGrain<IKeyValueGatewayGrain>(fixture.Shards.GroupOf(key));
            await RaftGroup.WaitForAsync(async () => (await group.GetStatus()).All(s => s.IsLive && s.LastApplied >= set.Index) ? "" : null,
                $"every replica of {fixture.Shards.GroupOf(key)} to apply {key}");
        }

        foreach (var key in keys)
        {
            var get = await fixture.Gateway.Execute(KvRequest.Get(key, ReadConsistency.Serializable));
            Assert.Equal((KvStatus.Ok, $"v-{key}"), (get.Status, get.Value));
            Assert.Equal((0, $"v-{key}\n", ""), await CliAsync("get", key, "--consistency", "s"));
        }
    }

    [Fact]
    public async Task Killing_a_node_leaves_every_group_with_a_majority_serving()
    {
        await fixture.WaitForLeadersAsync();
        // One key per group.
        var keys = fixture.Shards.Groups.Select(g => Enumerable.Range(0, 10_000).Select(i => $"kill-{i}").First(k => fixture.Shards.GroupOf(k) == g)).ToArray();
        foreach (var key in keys) Assert.Equal(KvStatus.Ok, (await fixture.Gateway.Set(key, "before")).Status);

        var victim = fixture.Cluster.Silos.Single(s => s.Name == "Secondary_2"); // never the primary: it holds the test membership table
        var held = (await fixture.Gateway.GetGroups()).Where(g => g.Members.Any(m => ReplicaKey.SplitMember(m).Node == victim.Name)).Select(g => g.Group).ToArray();
        Assert.NotEmpty(held);
        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            // Every group takes writes: those with a replica on the dead node from the other two.
            foreach (var key in keys)
            {
                await RaftGroup.WaitForAsync(async () => (await fixture.Gateway.Set(key, "after")).Status == KvStatus.Ok ? "" : null,
                    $"a write to {key} (group {fixture.Shards.GroupOf(key)}) with node {victim.Name} dead");
            }
            var groups = await fixture.WaitForLeadersAsync();
            Assert.All(groups, g => Assert.NotEqual(victim.Name, g.LeaderNode));
            Assert.All(groups.Where(g => held.Contains(g.Group)), g => Assert.Equal(g.Members.Length - 1, g.Live));
            foreach (var key in keys) Assert.Equal("after", (await fixture.Gateway.Get(key)).Value);
        }
        finally
        {
            await fixture.RestartAsync(victim);
        }
        // Back from its disk, the node's replicas answer again.
        await RaftGroup.WaitForAsync(async () =>
        {
            var groups = await fixture.Gateway.GetGroups();
            return groups.All(g => g.Leader is not null && g.Live == g.Members.Length) ? groups : null;
        }, $"every replica on {victim.Name} to answer again");
    }

    [Fact]
    public async Task Requests_that_belong_to_one_group_are_refused_on_the_store_and_say_how_to_name_it()
    {
        await fixture.WaitForLeadersAsync();
        var opened = await fixture.Gateway.OpenSession();
        Assert.Equal(KvStatus.InvalidRequest, opened.Status);
        Assert.Contains("GroupOf(key)", opened.Error);

        var group = await fixture.Gateway.GroupOf("session-key");
        Assert.Equal(fixture.Shards.GroupOf("session-key"), group);
        var refused = await fixture.Gateway.Execute(KvRequest.Set("session-key", "v") with { SessionId = 7, Sequence = 1 });
        Assert.Equal(KvStatus.InvalidRequest, refused.Status);
        Assert.Contains($"the key 'session-key' is in group '{group}'", refused.Error);

        // The same write in a session opened at the key's group, and read back through the store.
        var gateway = Grains.GetGrain<IKeyValueGatewayGrain>(group);
        var session = await gateway.OpenSession();
        Assert.Equal(KvStatus.Ok, session.Status);
        Assert.Equal(KvStatus.Ok, (await gateway.Execute(KvRequest.Set("session-key", "v") with { SessionId = session.Index, Sequence = 1 })).Status);
        Assert.Equal("v", (await fixture.Gateway.Get("session-key")).Value);

        var via = await fixture.Gateway.ExecuteVia("r1", KvRequest.Get("session-key"));
        Assert.Equal(KvStatus.InvalidRequest, via.Status);
        Assert.StartsWith("'default' is a store of 8 groups (default-0 … default-7), and a request through a replica (--via) acts on one group", via.Error);

        var list = await Assert.ThrowsAsync<InvalidOperationException>(() => Grains.GetGrain<IRaftMembershipGrain>("default").List());
        Assert.Equal("'default' is a store of 8 groups (default-0 … default-7), and member list acts on one group: " +
            "name it (--group default-0 on the client, ?group=default-0 in the HTTP API); 'status' lists the groups", list.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Grains.GetGrain<IFaultControlGrain>("cluster").Split("default", "p", ["r1"]));

        var (code, output, error) = await CliAsync("member", "list");
        Assert.Equal((ExitCodes.RequestFailed, ""), (code, output));
        Assert.StartsWith("error: 'default' is a store of 8 groups (default-0 … default-7), and member list acts on one group: name it (--group default-0", error);
        (code, output, error) = await CliAsync("member", "list", "--group", group);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains(" * ", output);
    }

    [Fact]
    public async Task A_node_with_another_number_of_groups_is_told_so_by_the_store()
    {
        await fixture.WaitForLeadersAsync();
        var store = Grains.GetGrain<IRaftStoreGrain>("default");
        Assert.Null(await store.CheckGroups("Secondary_1", ShardedClusterFixture.Groups));
        Assert.StartsWith("node 'n9' was started with 4 groups, but store 'default' has 8", await store.CheckGroups("n9", 4));
        Assert.StartsWith("node 'n9' was started with 1 group, but store 'default' has 8", await store.CheckGroups("n9", 1));
    }

    [Fact]
    public async Task Status_prints_a_row_per_group_and_one_group_in_detail_with_group()
    {
        await fixture.WaitForLeadersAsync();
        var (code, output, error) = await CliAsync("status");
        Assert.Equal((0, ""), (code, error));
        var lines = output.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.StartsWith("group", lines.First(l => l.Length > 0));
        Assert.Equal(fixture.Shards.Groups, lines.Where(l => l.StartsWith("default-", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        var perNode = lines.Single(l => l.StartsWith("leaders per node: ", StringComparison.Ordinal));
        Assert.Equal(ShardedClusterFixture.Groups, perNode["leaders per node: ".Length..].Split(", ").Sum(p => int.Parse(p.Split(' ')[1])));

        (code, output, _) = await CliAsync("status", "-o", "json");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(fixture.Shards.Groups, rows.Select(r => r.GetProperty("group").GetString()));
        Assert.All(rows, r =>
        {
            Assert.NotNull(r.GetProperty("leader").GetString());
            Assert.True(r.GetProperty("commitIndex").GetInt64() > 0);
            Assert.Equal(3, r.GetProperty("members").GetArrayLength());
        });

        (code, output, error) = await CliAsync("status", "--group", "default-3");
        Assert.Equal((0, ""), (code, error));
        // The group's three live replicas. The status reads the group's directory afresh, but the directory hears of a
        // drain's removal one message after the replica applied it, so the removed one may still be listed,
        // unreachable. A narrow table wraps its role cell: "Unreac" starts that row.
        var live = output.Split('\n').Count(l => l.TrimStart().StartsWith('r') && char.IsAsciiDigit(l.TrimStart()[1]) && !l.Contains("Unreac", StringComparison.Ordinal));
        Assert.True(live == 3, output);
        Assert.Single(output.Split('\n'), l => l.Contains(" Leader "));
    }

    [Fact]
    public async Task The_leader_balancer_spreads_leaders_forced_onto_one_node()
    {
        await fixture.WaitForLeadersAsync();
        const string Target = "Secondary_1";
        // Every group with a replica on the target node is led from there.
        var forced = 0;
        foreach (var group in await fixture.Gateway.GetGroups())
        {
            var there = group.Members.FirstOrDefault(m => ReplicaKey.SplitMember(m).Node == Target);
            if (there is null) continue;
            await Grains.GetGrain<IRaftMembershipGrain>(group.Group).TransferLeadership(ReplicaKey.NameOf(there));
            forced++;
        }
        var nodes = (await fixture.Gateway.GetGroups()).SelectMany(g => g.Members).Select(m => ReplicaKey.SplitMember(m).Node!).Distinct().Count();
        var high = LeaderBalance.Bounds(ShardedClusterFixture.Groups, nodes).High;
        Assert.True(forced > high, $"only {forced} groups could be led from {Target}: nothing to balance");

        // The balancer moves one group a second until no node leads more than ceil(G/N) + 1.
        var balanced = await RaftGroup.WaitForAsync(async () =>
        {
            var groups = await fixture.Gateway.GetGroups();
            if (groups.Any(g => g.Leader is null)) return null;
            var counts = groups.CountBy(g => g.LeaderNode!).ToDictionary();
            return counts.Values.Max() <= high ? counts : null;
        }, $"no node to lead more than {high} groups");
        Assert.True(balanced.GetValueOrDefault(Target) <= high);
        Assert.True(balanced.Count > 1);
    }

    [Fact]
    public async Task Draining_a_node_drains_every_group_with_a_replica_there_one_at_a_time_and_reports_each()
    {
        await fixture.WaitForLeadersAsync();
        const string Drained = "Secondary_3";
        var before = await fixture.Gateway.GetGroups();
        var held = before.Where(g => g.Members.Any(m => ReplicaKey.SplitMember(m).Node == Drained)).Select(g => g.Group).ToArray();
        Assert.NotEmpty(held);
        var keys = Enumerable.Range(0, 16).Select(i => $"drain-{i}").ToArray();
        foreach (var key in keys) Assert.Equal(KvStatus.Ok, (await fixture.Gateway.Set(key, $"v-{key}")).Status);

        var (code, output, error) = await CliAsync("node", "drain", Drained);
        Assert.Equal((0, ""), (code, error));
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(held, lines.Select(l => l[..l.IndexOf(':')]));
        Assert.All(lines, l => Assert.EndsWith($"node {Drained} holds no replica of group '{l[..l.IndexOf(':')]}'", l));

        var after = await fixture.WaitForLeadersAsync();
        Assert.All(after, g =>
        {
            Assert.DoesNotContain(g.Members, m => ReplicaKey.SplitMember(m).Node == Drained);
            Assert.Equal(3, g.Members.Length);
        });
        foreach (var key in keys) Assert.Equal($"v-{key}", (await fixture.Gateway.Get(key)).Value);
        Assert.Equal((0, $"{StoreDrain.NothingOn("default", Drained)}\n", ""), await CliAsync("node", "drain", Drained));
    }
}
