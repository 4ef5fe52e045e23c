using Orleans.Raft.Faults;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Serializable gets (etcd's --consistency=s): any running replica answers from what it has applied, with no leader
/// involved, so they answer where a linearizable get cannot, and may be stale.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SerializableReadTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    [Fact]
    public async Task A_follower_cut_off_from_the_leader_serves_what_it_applied_while_a_linearizable_get_fails()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);
        var first = await group.Gateway.Set("k", "old");
        Assert.Equal(KvStatus.Ok, first.Status);
        await group.WaitForConvergenceAsync(first.Index);

        await Faults.Split(group.Name, "alone", [follower]);
        try
        {
            // The majority moves on without it.
            var second = await group.Replica(leader.Replica).Execute(KvRequest.Set("k", "new"), forward: false, Timeout);
            Assert.Equal(KvStatus.Ok, second.Status);

            var linearizable = await group.Replica(follower).Execute(KvRequest.Get("k"), forward: true, Timeout);
            var serializable = await group.Replica(follower).Execute(KvRequest.Get("k", ReadConsistency.Serializable), forward: false, Timeout);
            var applied = await group.Replica(follower).GetStatus();

            Assert.Contains(linearizable.Status, new[] { KvStatus.Timeout, KvStatus.NotLeader });
            Assert.Equal((KvStatus.Ok, "old", follower), (serializable.Status, serializable.Value, serializable.ServedBy));
            Assert.Equal(await group.Replica(follower).ReadLocal("k"), serializable.Value);
            Assert.True(serializable.Index >= first.Index && serializable.Index <= applied.LastApplied,
                $"served at index {serializable.Index}; the follower applied {applied.LastApplied}, the first set was at {first.Index}");
            Assert.True(serializable.Index < second.Index, $"the stale read claims index {serializable.Index}, past the second set's {second.Index}");

            // A key it never applied is no such key there, even with a leader elsewhere.
            Assert.Equal(KvStatus.NotFound, (await group.Replica(follower).Execute(KvRequest.Get("never", ReadConsistency.Serializable), forward: false, Timeout)).Status);
        }
        finally
        {
            await Faults.Heal(group.Name);
        }
    }

    [Fact]
    public async Task With_no_leader_the_gateway_serves_a_serializable_get_from_the_replica_still_running()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var set = await group.Gateway.Set("k", "v");
        Assert.Equal(KvStatus.Ok, set.Status);
        await group.WaitForConvergenceAsync(set.Index);
        var survivor = group.Members.First(m => m != leader.Replica);
        var follower = group.Members.First(m => m != leader.Replica && m != survivor);

        // The leader's silo stops answering for it (a call to it fails); the follower itself answers that it is not running.
        await Faults.StopReplica(group.Name, leader.Replica);
        await group.Replica(follower).Stop();
        try
        {
            var refused = await group.Replica(follower).Execute(KvRequest.Get("k", ReadConsistency.Serializable), forward: false, Timeout);
            Assert.Equal((KvStatus.Unavailable, $"replica {follower} of group {group.Name} is not running"), (refused.Status, refused.Error));
            var linearizable = await group.Gateway.Get("k");
            Assert.Equal(KvStatus.Timeout, linearizable.Status);

            // Whichever replica the gateway asks first, it moves on from the two that cannot answer to the survivor.
            for (var i = 0; i < 2 * group.Members.Length; i++)
            {
                var serializable = await group.Gateway.Execute(KvRequest.Get("k", ReadConsistency.Serializable));
                Assert.Equal((KvStatus.Ok, "v", survivor), (serializable.Status, serializable.Value, serializable.ServedBy));
            }
        }
        finally
        {
            await Faults.StartReplica(group.Name, leader.Replica, []);
            await group.Replica(follower).Start([]);
        }
    }

    [Fact]
    public async Task A_serializable_get_through_a_named_replica_is_served_by_that_replica()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var set = await group.Gateway.Set("k", "v");
        await group.WaitForConvergenceAsync(set.Index);

        foreach (var replica in group.Members)
        {
            var get = await group.Gateway.ExecuteVia(replica, KvRequest.Get("k", ReadConsistency.Serializable));
            Assert.Equal((KvStatus.Ok, "v", replica), (get.Status, get.Value, get.ServedBy));
        }
        var before = await group.Replica(leader.Replica).GetStatus();
        for (var i = 0; i < 20; i++) Assert.Equal("v", (await group.Gateway.Execute(KvRequest.Get("k", ReadConsistency.Serializable))).Value);
        var after = await group.Replica(leader.Replica).GetStatus();
        // Nothing went through the log.
        Assert.Equal((before.CurrentTerm, before.LastLogIndex), (after.CurrentTerm, after.LastLogIndex));
    }
}
