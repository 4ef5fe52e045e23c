using RaftMembershipGrain = Orleans.Raft.Membership.RaftMembershipGrain;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Membership changes and leadership transfer on groups whose replicas are not pinned to nodes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MembershipTests(ClusterFixture fixture)
{
    private IRaftMembershipGrain Membership(RaftGroup group) => fixture.Client.GetGrain<IRaftMembershipGrain>(group.Name);

    private static string[] Voters(MemberList list) => [.. list.Members.Where(m => m.Role == MemberRole.Voter).Select(m => m.Replica).Order()];

    [Fact]
    public async Task Grow_3_to_5_and_shrink_to_3_under_writes_loses_no_acknowledged_write()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var membership = Membership(group);
        await using var load = WriteLoad.Start(group.Gateway, writers: 2);
        await load.WaitForMoreAsync(20);

        Assert.Contains("added r4 as a learner", await membership.Add(null));
        Assert.Contains("added r5 as a learner", await membership.Add(null));
        var grown = await membership.List();
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], Voters(grown));
        Assert.All(grown.Members, m => Assert.True(m.Live, $"{m.Replica} is not live"));
        await load.WaitForMoreAsync(20);

        // The leader first, which hands over before it goes; then a follower.
        var leader = grown.Leader!;
        var removedLeader = await membership.Remove(leader);
        Assert.Contains($"moved leadership from {leader}", removedLeader);
        var follower = (await membership.List()).Members.First(m => !m.IsLeader && m.Replica is "r1" or "r2" or "r3").Replica;
        Assert.Contains($"removed {follower}", await membership.Remove(follower));
        await load.WaitForMoreAsync(20);
        await load.StopAsync();

        var shrunk = await membership.List();
        Assert.Equal(3, Voters(shrunk).Length);
        Assert.DoesNotContain(leader, Voters(shrunk));
        Assert.DoesNotContain(follower, Voters(shrunk));
        await load.AssertNoneLostAsync(group.Gateway);
        foreach (var gone in new[] { leader, follower })
        {
            var status = await group.Replica(gone).GetStatus();
            Assert.False(status.Running);
            Assert.False(status.HasStoredState, $"{gone} kept its storage after its removal");
        }
        // The replicas that joined hold what was written before they joined.
        var joined = Voters(shrunk).Intersect(["r4", "r5"]).First();
        await RaftGroup.WaitForAsync(async () => await group.Replica(joined).ReadLocal("w0-0") == "0" ? "" : null, $"{joined} to hold w0-0");
    }

    // ShardedStoreTests saw a status right after a drain list the removed replica: the gateway answered from the
    // members it had read up to a second before.
    [Fact]
    public async Task A_status_right_after_a_removal_lists_the_group_without_the_removed_replica()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var follower = (await group.Gateway.GetStatus()).First(s => s.IsLive && s.Role != ReplicaRole.Leader).Replica;

        Assert.Contains($"removed {follower}", await Membership(group).Remove(follower));

        var after = await group.Gateway.GetStatus();
        Assert.DoesNotContain(after, s => s.Replica == follower);
        Assert.Equal(2, after.Count(s => s.IsLive));
    }

    [Fact]
    public async Task The_record_of_steps_keeps_the_newest_and_counts_the_ones_it_dropped()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var membership = Membership(group);
        // Each refused transfer is one refusal on the record.
        var calls = RaftMembershipGrain.RecordedSteps + 4;
        for (var i = 1; i <= calls; i++)
            await Assert.ThrowsAsync<InvalidOperationException>(() => membership.TransferLeadership($"zz{i}"));

        var all = await membership.Events(0);
        Assert.Equal(calls, all.Last);
        Assert.Equal(4, all.Missed);
        Assert.Equal(RaftMembershipGrain.RecordedSteps, all.Events.Length);
        Assert.Equal(5, all.Events[0].Sequence);
        Assert.All(all.Events, e => Assert.True(e.Refused));
        Assert.StartsWith($"leader transfer refused: unknown replica 'zz{calls}'", all.Events[^1].Text);

        var tail = await membership.Events(calls - 1);
        Assert.Equal((0L, calls), (tail.Missed, tail.Events.Single().Sequence));
        Assert.Equal(all.Epoch, tail.Epoch);
        Assert.Equal(2, (await membership.Events(2)).Missed);
    }

    [Fact]
    public async Task A_removed_replicas_name_is_never_given_again()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var membership = Membership(group);
        Assert.Contains("added r4 ", await membership.Add(null));
        await membership.Remove("r4");
        Assert.Contains("added r5 ", await membership.Add(null));
        Assert.Equal(["r1", "r2", "r3", "r5"], Voters(await membership.List()));
    }

    [Fact]
    public async Task A_joined_replica_restarts_from_its_own_storage_as_the_voter_it_became()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.Contains("r4 caught up and was promoted to voter", await Membership(group).Add(null));
        for (var i = 0; i < 10; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"{i}")).Status);
        await group.Replica("r4").Deactivate();
        for (var i = 10; i < 20; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"{i}")).Status);

        var leader = await group.WaitForLeaderAsync();
        var r4 = await RaftGroup.WaitForAsync(async () =>
        {
            var s = await group.Replica("r4").GetStatus();
            return s.Running && s.LastApplied >= leader.CommitIndex ? s : null;
        }, "r4 to run again and catch up");
        Assert.Equal(MemberRole.Voter, r4.Membership);
        Assert.Contains("r4", r4.Members);
        Assert.Equal("19", await group.Replica("r4").ReadLocal("k19"));
    }

    [Fact]
    public async Task Leadership_transfer_under_load_fails_no_request()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = (await group.WaitForLeaderAsync()).Replica;
        var membership = Membership(group);
        await using var load = WriteLoad.Start(group.Gateway, writers: 3);
        await load.WaitForMoreAsync(20);
        for (var round = 0; round < 3; round++)
        {
            var target = group.Members.First(m => m != leader);
            Assert.Equal($"leadership moved from {leader} to {target}", await membership.TransferLeadership(target));
            Assert.Equal(target, (await membership.List()).Leader);
            leader = target;
            await load.WaitForMoreAsync(20);
        }
        await load.StopAsync();
        Assert.Empty(load.Failures);
        await load.AssertNoneLostAsync(group.Gateway);
    }

    [Fact]
    public async Task Removing_below_a_majority_of_live_voters_is_refused_with_why()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = (await group.WaitForLeaderAsync()).Replica;
        var faults = fixture.Client.GetGrain<IFaultControlGrain>("cluster");
        var stopped = group.Members.First(m => m != leader);
        var live = group.Members.First(m => m != leader && m != stopped);
        await faults.StopReplica(group.Name, stopped);
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Membership(group).Remove(live));
            Assert.Equal(
                $"removing {live} would leave 1 live voter of 2, below a majority (2): the group could not commit the change or anything after it; bring replicas back, or add one first",
                refused.Message);
            var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => Membership(group).Remove("r9"));
            Assert.Equal($"r9 is not a member of group '{group.Name}' (members: r1, r2, r3)", unknown.Message);
            Assert.Equal(["r1", "r2", "r3"], Voters(await Membership(group).List()));
        }
        finally
        {
            await faults.StartReplica(group.Name, stopped, []);
        }
    }

    [Fact]
    public async Task A_second_change_while_one_is_pending_is_refused_with_why()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 5);
        var leader = (await group.WaitForLeaderAsync()).Replica;
        var faults = fixture.Client.GetGrain<IFaultControlGrain>("cluster");
        var followers = group.Members.Where(m => m != leader).Take(2).ToArray();
        // Slow messages keep the first change uncommitted while the second arrives.
        await faults.SetDelay(group.Name, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200));
        try
        {
            var changes = followers.Select(f => Membership(group).Remove(f)).ToArray();
            var outcomes = await Task.WhenAll(changes.Select(async c =>
            {
                try
                {
                    return await c;
                }
                catch (InvalidOperationException ex)
                {
                    return "refused: " + ex.Message;
                }
            }));
            Assert.Single(outcomes, o => o.StartsWith("removed ", StringComparison.Ordinal));
            var refusal = Assert.Single(outcomes, o => o.StartsWith("refused: ", StringComparison.Ordinal));
            Assert.Contains("another membership change is in progress", refusal);
            Assert.Contains("one change at a time; retry once it commits", refusal);
        }
        finally
        {
            await faults.SetDelay(group.Name, TimeSpan.Zero, TimeSpan.Zero);
        }
        Assert.Equal(4, Voters(await Membership(group).List()).Length);
    }
}
