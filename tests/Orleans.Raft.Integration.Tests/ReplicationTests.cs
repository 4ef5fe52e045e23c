using Microsoft.Extensions.DependencyInjection;

namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ReplicationTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_leader_is_elected_and_every_replica_follows_it()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();

        var statuses = await group.WaitForConvergenceAsync(minIndex: 1);
        Assert.Single(statuses, s => s.Role == ReplicaRole.Leader);
        Assert.All(statuses, s => Assert.Equal(leader.CurrentTerm, s.CurrentTerm));
        Assert.All(statuses, s => Assert.Equal(leader.Replica, s.LeaderId));
    }

    [Fact]
    public async Task A_set_is_read_by_a_fresh_client_and_lands_on_every_replica()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        await group.WaitForLeaderAsync();

        var set = await group.Gateway.Set("foo", "bar");
        Assert.Equal(KvStatus.Ok, set.Status);

        using var fresh = await fixture.StartFreshClientAsync();
        var got = await fresh.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>(group.Name).Get("foo");
        Assert.Equal(KvStatus.Ok, got.Status);
        Assert.Equal("bar", got.Value);

        await group.WaitForConvergenceAsync(minIndex: set.Index);
        foreach (var m in group.Members) Assert.Equal("bar", await group.Replica(m).ReadLocal("foo"));
    }

    [Fact]
    public async Task Delete_and_compare_and_set_follow_their_contracts()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var gw = group.Gateway;

        Assert.Equal(KvStatus.NotFound, (await gw.Get("k")).Status);
        Assert.Equal(KvStatus.Ok, (await gw.CompareAndSet("k", null, "1")).Status);
        var failed = await gw.CompareAndSet("k", null, "2");
        Assert.Equal(KvStatus.CompareFailed, failed.Status);
        Assert.Equal("1", failed.Value);
        Assert.Equal(KvStatus.Ok, (await gw.CompareAndSet("k", "1", "3")).Status);
        Assert.Equal("3", (await gw.Get("k")).Value);
        Assert.Equal(KvStatus.Ok, (await gw.Delete("k")).Status);
        var missing = await gw.Get("k");
        Assert.Equal(KvStatus.NotFound, missing.Status);
        Assert.Equal("No such key: k", missing.Error);
        Assert.Equal(KvStatus.NotFound, (await gw.Delete("k")).Status);
    }

    [Fact]
    public async Task A_request_through_a_follower_is_forwarded_to_the_leader()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);

        var set = await group.Gateway.ExecuteVia(follower, KvRequest.Set("via", "follower"));
        Assert.Equal(KvStatus.Ok, set.Status);
        Assert.Equal(leader.Replica, set.ServedBy);
        var get = await group.Gateway.ExecuteVia(follower, KvRequest.Get("via"));
        Assert.Equal("follower", get.Value);
    }

    [Fact]
    public async Task An_election_on_a_named_replica_makes_it_leader_with_every_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("before", "election")).Status);
        var target = group.Members.First(m => m != leader.Replica);
        await group.WaitForConvergenceAsync(minIndex: 2);

        await group.Gateway.StartElection(target);
        var next = await group.WaitForLeaderAsync(s => s.Replica == target);

        Assert.True(next.CurrentTerm > leader.CurrentTerm);
        Assert.Equal("election", (await group.Gateway.Get("before")).Value);
    }

    [Fact]
    public async Task A_follower_that_missed_writes_catches_up()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var lagging = group.Members.Last(m => m != leader.Replica);
        await group.Replica(lagging).Stop();

        long last = 0;
        for (var i = 0; i < 50; i++)
        {
            var r = await group.Gateway.Set($"k{i}", $"v{i}");
            Assert.Equal(KvStatus.Ok, r.Status);
            last = r.Index;
        }
        Assert.Null(await group.Replica(lagging).ReadLocal("k0"));

        await group.Replica(lagging).Start(group.Members);
        await group.WaitForConvergenceAsync(minIndex: last);
        for (var i = 0; i < 50; i++) Assert.Equal($"v{i}", await group.Replica(lagging).ReadLocal($"k{i}"));
    }

    [Fact]
    public async Task Deactivating_the_leader_replica_elects_a_leader_that_has_every_acknowledged_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        for (var i = 0; i < 20; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"v{i}")).Status);

        await group.Replica(leader.Replica).Deactivate();
        var next = await group.WaitForLeaderAsync(s => s.CurrentTerm > leader.CurrentTerm);

        Assert.True(next.CurrentTerm > leader.CurrentTerm);
        for (var i = 0; i < 20; i++) Assert.Equal($"v{i}", (await group.Gateway.Get($"k{i}")).Value);
    }

    [Fact]
    public async Task Two_hundred_concurrent_sets_from_several_clients_are_all_visible()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        await group.WaitForLeaderAsync();
        using var second = await fixture.StartFreshClientAsync();
        using var third = await fixture.StartFreshClientAsync();
        var clients = new IGrainFactory[] { fixture.Client, second.Services.GetRequiredService<IClusterClient>(), third.Services.GetRequiredService<IClusterClient>() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            clients[i % clients.Length].GetGrain<IKeyValueGatewayGrain>(group.Name).Set($"key-{i}", $"value-{i}")));

        Assert.All(responses, r => Assert.Equal(KvStatus.Ok, r.Status));
        Assert.Equal(200, responses.Select(r => r.Index).Distinct().Count());
        for (var i = 0; i < 200; i++)
        {
            var got = await clients[(i + 1) % clients.Length].GetGrain<IKeyValueGatewayGrain>(group.Name).Get($"key-{i}");
            Assert.Equal($"value-{i}", got.Value);
        }
    }

    [Fact]
    public async Task Writes_commit_with_a_minority_stopped_and_time_out_without_a_majority()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var followers = group.Members.Where(m => m != leader.Replica).ToArray();

        await group.Replica(followers[0]).Stop();
        await group.Replica(followers[1]).Stop();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("minority", "down")).Status);

        await group.Replica(followers[2]).Stop();
        var timedOut = await group.Gateway.Set("majority", "down");
        Assert.Equal(KvStatus.Timeout, timedOut.Status);
        Assert.Contains("timed out", timedOut.Error);
        var via = await group.Gateway.ExecuteVia(followers[3], KvRequest.Get("minority"));
        Assert.Equal(KvStatus.Timeout, via.Status);

        foreach (var f in followers.Take(3)) await group.Replica(f).Start(group.Members);
        await group.WaitForLeaderAsync();
        Assert.Equal("down", (await group.Gateway.Get("minority")).Value);
    }

    [Fact]
    public async Task Replicas_calling_each_other_at_once_do_not_deadlock()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        // Every replica campaigns at the same moment while clients write: vote requests cross in flight.
        var elections = group.Members.Select(m => group.Replica(m).StartElection());
        var writes = Enumerable.Range(0, 30).Select(i => group.Gateway.Set($"x{i}", "y"));
        await Task.WhenAll(elections.Concat(writes.Select(w => (Task)w)));

        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "storm")).Status);
        Assert.Equal("storm", (await group.Gateway.Get("after")).Value);
    }
}
