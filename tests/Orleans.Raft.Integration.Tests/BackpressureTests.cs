using Orleans.Raft.Faults;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A leader that cannot commit bounds its backlog and forgets requests that timed out.</summary>
public sealed class BackpressureTests(BackpressureClusterFixture fixture) : IClassFixture<BackpressureClusterFixture>
{
    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    /// <summary>Stops every follower: the leader (check-quorum is off) keeps leading but can commit nothing.</summary>
    private async Task<(RaftGroup Group, ReplicaStatus Leader, string[] Followers)> LeaderWithoutMajorityAsync()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        await group.WaitForConvergenceAsync();
        var followers = group.Members.Where(m => m != leader.Replica).ToArray();
        foreach (var f in followers) await Faults.StopReplica(group.Name, f);
        return (group, leader, followers);
    }

    [Fact]
    public async Task A_leader_cut_off_from_its_majority_answers_Overloaded_past_its_backlog_bound_and_commits_the_backlog_after_healing()
    {
        var (group, leader, followers) = await LeaderWithoutMajorityAsync();
        var replica = group.Replica(leader.Replica);
        var wait = TimeSpan.FromMilliseconds(300);

        var backlog = await Task.WhenAll(Enumerable.Range(0, BackpressureClusterFixture.MaxUncommittedEntries)
            .Select(i => replica.Execute(KvRequest.Set($"b{i}", "v"), forward: false, wait)));
        Assert.All(backlog, r => Assert.Equal(KvStatus.Timeout, r.Status));
        var full = await replica.GetStatus();
        Assert.Equal(ReplicaRole.Leader, full.Role);

        // Past the bound: refused at once, not appended, and not a Timeout (whose outcome would be unknown).
        var refused = await replica.Execute(KvRequest.Set("over", "x"), forward: false, wait);
        Assert.Equal(KvStatus.Overloaded, refused.Status);
        Assert.Contains("not applied", refused.Error);
        var viaGateway = await group.Gateway.Set("over", "y");
        Assert.Equal(KvStatus.Overloaded, viaGateway.Status);
        Assert.Contains("Overloaded", viaGateway.Error);
        Assert.Equal(full.LastLogIndex, (await replica.GetStatus()).LastLogIndex);

        foreach (var f in followers) await Faults.StartReplica(group.Name, f, []);
        await group.WaitForConvergenceAsync(minIndex: full.LastLogIndex);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "healing")).Status);
        foreach (var m in group.Members)
        {
            for (var i = 0; i < BackpressureClusterFixture.MaxUncommittedEntries; i++) Assert.Equal("v", await group.Replica(m).ReadLocal($"b{i}"));
            Assert.Null(await group.Replica(m).ReadLocal("over"));
        }
    }

    [Fact]
    public async Task Requests_that_time_out_at_a_leader_without_a_majority_leave_nothing_pending()
    {
        var (group, leader, followers) = await LeaderWithoutMajorityAsync();
        var replica = group.Replica(leader.Replica);

        var timedOut = await Task.WhenAll(Enumerable.Range(0, 5)
            .Select(i => replica.Execute(KvRequest.Set($"t{i}", "v"), forward: false, TimeSpan.FromMilliseconds(200))));
        Assert.All(timedOut, r => Assert.Equal(KvStatus.Timeout, r.Status));

        var status = await replica.GetStatus();
        Assert.Equal(ReplicaRole.Leader, status.Role);
        Assert.Equal(0, status.PendingRequests);

        // Their entries may still commit once a majority is back; applying them finds no waiting request.
        foreach (var f in followers) await Faults.StartReplica(group.Name, f, []);
        await group.WaitForConvergenceAsync(minIndex: status.LastLogIndex);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "healing")).Status);
        Assert.Equal(0, (await replica.GetStatus()).PendingRequests);
    }
}
