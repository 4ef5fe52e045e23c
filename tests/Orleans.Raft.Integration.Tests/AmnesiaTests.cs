using Orleans.Raft.Hosting;

namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class AmnesiaTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_replica_whose_stored_state_is_not_visible_is_never_recreated_empty_in_a_group_that_exists()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);
        var victim = group.Members.First(m => m != leader.Replica);

        // As if the replica were activated on a silo that cannot see its data directory: its state is gone.
        await group.Replica(victim).Retire();

        var missing = await RaftGroupBootstrapper.StartGroupAsync(fixture.Client, group.Name, group.Members);

        Assert.Equal([victim], missing);
        var status = await group.Replica(victim).GetStatus();
        Assert.False(status.Running);
        Assert.False(status.HasStoredState);
        Assert.Equal(0, status.CurrentTerm);
        // The others carry on.
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "w")).Status);
    }

    [Fact]
    public async Task Bootstrapping_a_group_that_exists_restarts_its_replicas_from_stored_state()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);
        foreach (var m in group.Members) await group.Replica(m).Stop();
        Assert.All(await group.StatusAsync(), s => Assert.True(s.HasStoredState && !s.Running));

        var missing = await RaftGroupBootstrapper.StartGroupAsync(fixture.Client, group.Name, group.Members);

        Assert.Empty(missing);
        await group.WaitForLeaderAsync();
        Assert.Equal("v", (await group.Gateway.Get("k")).Value);
    }
}
