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

    [Fact]
    public async Task A_group_creation_cut_short_by_a_crash_is_completed_by_the_next_bootstrap()
    {
        var name = $"half-{Guid.NewGuid():N}"[..20];
        string[] members = ["r1", "r2", "r3"];
        var group = new RaftGroup(fixture.Client, name, members);
        await fixture.Client.GetGrain<IRaftGroupDirectoryGrain>(name).Register(members);
        // As if the silo creating the group died after two of its three replicas stored their members.
        await group.Replica("r1").Start(members);
        await group.Replica("r2").Start(members);

        var missing = await RaftGroupBootstrapper.StartGroupAsync(fixture.Client, name, members);

        Assert.Empty(missing);
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "v")).Status);
        Assert.All(await group.StatusAsync(), s => Assert.True(s.Running, $"{s.Replica} is not running"));
    }
}
