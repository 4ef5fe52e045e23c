namespace Orleans.Raft.Integration.Tests;

/// <summary>Gets served with ReadIndex (the default read mode): linearizable, and without a log entry.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReadIndexTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_get_after_an_acknowledged_set_returns_its_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        for (var i = 0; i < 20; i++)
        {
            var set = await group.Gateway.Set("k", $"v{i}");
            Assert.Equal(KvStatus.Ok, set.Status);
            var get = await group.Gateway.Get("k");
            Assert.Equal((KvStatus.Ok, $"v{i}"), (get.Status, get.Value));
            Assert.True(get.Index >= set.Index, $"read index {get.Index} is below the set's entry {set.Index}");
        }
        var missing = await group.Gateway.Get("never-set");
        Assert.Equal(KvStatus.NotFound, missing.Status);
    }

    [Fact]
    public async Task Gets_append_no_log_entry()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);
        var leader = await group.WaitForLeaderAsync();
        var before = await group.Replica(leader.Replica).GetStatus();

        for (var i = 0; i < 50; i++) Assert.Equal("v", (await group.Gateway.Get("k")).Value);

        var after = await group.Replica(leader.Replica).GetStatus();
        Assert.Equal((ReplicaRole.Leader, before.CurrentTerm), (after.Role, after.CurrentTerm));
        Assert.Equal(before.LastLogIndex, after.LastLogIndex);
        Assert.Equal(before.CommitIndex, after.CommitIndex);
    }

    [Fact]
    public async Task A_follower_asked_to_forward_serves_a_get_itself_with_the_latest_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", $"v{i}")).Status);
            var lastLogIndex = (await group.Replica(leader.Replica).GetStatus()).LastLogIndex;
            var get = await group.Replica(follower).Execute(KvRequest.Get("k"), forward: true, Timeout);
            Assert.Equal((KvStatus.Ok, $"v{i}", follower), (get.Status, get.Value, get.ServedBy));
            Assert.Equal(lastLogIndex, (await group.Replica(leader.Replica).GetStatus()).LastLogIndex);
        }
    }

    [Fact]
    public async Task A_follower_not_asked_to_forward_refuses_a_get()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);

        var get = await group.Replica(follower).Execute(KvRequest.Get("k"), forward: false, Timeout);

        Assert.Equal((KvStatus.NotLeader, leader.Replica), (get.Status, get.LeaderHint));
    }
}
