using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Bench;
using Orleans.Raft.Faults;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class FaultTests(ClusterFixture fixture)
{
    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    [Fact]
    public async Task A_fault_holds_on_every_silo_once_the_control_call_returns()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await Faults.Split(group.Name, "p", ["r1"]);
        await Faults.SetDropRate(group.Name, 0.25);

        foreach (var silo in fixture.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>())
        {
            var faults = silo.SiloHost.Services.GetRequiredService<FaultInjectionState>().For(group.Name);
            Assert.Equal(["r1"], faults.Partitions["p"]);
            Assert.Equal(0.25, faults.DropRate);
        }

        await Faults.Forget(group.Name);
        foreach (var silo in fixture.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>())
        {
            Assert.True(silo.SiloHost.Services.GetRequiredService<FaultInjectionState>().For(group.Name).IsEmpty);
        }
    }

    [Fact]
    public async Task A_bridge_connects_two_sides_that_cannot_reach_each_other()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        await group.WaitForLeaderAsync();

        // r1,r2 - r3 - r4,r5: r3 reaches everyone, the two sides do not reach each other.
        await Faults.Cut(group.Name, ["r1", "r2"], ["r4", "r5"]);
        var faults = fixture.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>()
            .Select(s => s.SiloHost.Services.GetRequiredService<FaultInjectionState>().For(group.Name)).ToArray();
        Assert.All(faults, f =>
        {
            Assert.True(f.Separates("r1", "r4") && f.Separates("r5", "r2"));
            Assert.False(f.Separates("r1", "r3") || f.Separates("r3", "r5") || f.Separates("r1", "r2") || f.Separates("r4", "r5"));
        });

        for (var i = 0; i < 10; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"b{i}", "v")).Status);
        await Faults.Heal(group.Name);
        Assert.True((await Faults.GetFaults(group.Name)).IsEmpty);
        await group.WaitForConvergenceAsync();
        foreach (var m in group.Members) Assert.Equal("v", await group.Replica(m).ReadLocal("b9"));
    }

    [Fact]
    public async Task A_one_way_cut_loses_messages_in_its_direction_only()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await Faults.CutOneWay(group.Name, ["r1", "r2"], ["r3"]);
        var faults = await Faults.GetFaults(group.Name);
        Assert.True(faults.Separates("r1", "r3") && faults.Separates("r2", "r3"));
        Assert.False(faults.Separates("r3", "r1") || faults.Separates("r3", "r2") || faults.Separates("r1", "r2"));
        await Faults.Heal(group.Name);
        Assert.True((await Faults.GetFaults(group.Name)).IsEmpty);
    }

    [Fact]
    public async Task A_transfer_succeeds_when_the_target_wins_unheard_by_the_old_leader_which_gives_up()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var target = group.Members.First(m => m != leader.Replica);
        var third = group.Members.First(m => m != leader.Replica && m != target);
        await group.WaitForConvergenceAsync(); // the target is up to date: the leader tells it to campaign at once

        // The old leader still reaches both, so the target gets TimeoutNow and wins with the third's vote; but it hears
        // neither, so it never learns of the win and abandons the transfer when its election timeout runs out.
        await Faults.CutOneWay(group.Name, [target, third], [leader.Replica]);
        var membership = fixture.Client.GetGrain<IRaftMembershipGrain>(group.Name);
        Assert.Equal($"leadership moved from {leader.Replica} to {target}", await membership.TransferLeadership(target));

        var won = await group.Replica(target).GetStatus();
        Assert.Equal(ReplicaRole.Leader, won.Role);
        Assert.True(won.CurrentTerm > leader.CurrentTerm);
        var stale = await group.Replica(leader.Replica).GetStatus();
        Assert.Equal(leader.CurrentTerm, stale.CurrentTerm); // it heard nothing of the new term

        await Faults.Heal(group.Name);
        var next = await group.WaitForLeaderAsync(s => s.CurrentTerm >= won.CurrentTerm);
        Assert.Equal(target, next.Replica);
    }

    [Fact]
    public async Task A_minority_partition_makes_no_progress_while_the_majority_commits()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var minority = group.Members.Where(m => m != leader.Replica).Take(2).ToArray();
        var before = (await group.WaitForConvergenceAsync()).First().LastApplied;

        await Faults.Split(group.Name, "minority", minority);
        for (var i = 0; i < 10; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", "v")).Status);
        var viaMinority = await group.Gateway.ExecuteVia(minority[0], KvRequest.Set("from", "minority"));
        Assert.Equal(KvStatus.Timeout, viaMinority.Status);

        foreach (var m in minority)
        {
            var status = await group.Replica(m).GetStatus();
            Assert.Equal(before, status.LastApplied);
            Assert.Null(await group.Replica(m).ReadLocal("k0"));
        }

        await Faults.Join(group.Name, "minority");
        var converged = await group.WaitForConvergenceAsync(minIndex: before + 10);
        foreach (var m in minority) Assert.Equal("v", await group.Replica(m).ReadLocal("k9"));
        Assert.Single(converged.Select(s => (s.LastLogIndex, s.LastLogTerm)).Distinct());
    }

    [Fact]
    public async Task A_majority_partition_without_the_leader_elects_a_new_one_and_the_old_leader_follows_it_after_healing()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var withLeader = new[] { leader.Replica, group.Members.First(m => m != leader.Replica) };

        await Faults.Split(group.Name, "old", withLeader);
        var next = await group.WaitForLeaderAsync(s => !withLeader.Contains(s.Replica));
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("majority", "wins")).Status);
        // Check-quorum: the old leader cannot hear a majority, so it steps down.
        await RaftGroup.WaitForAsync(async () => (await group.Replica(leader.Replica).GetStatus()).Role != ReplicaRole.Leader ? "" : null, "the old leader to step down");

        await Faults.Join(group.Name, "old");
        var statuses = await group.WaitForConvergenceAsync();
        Assert.All(statuses, s => Assert.Equal(next.Replica, s.LeaderId));
        Assert.Equal("wins", await group.Replica(leader.Replica).ReadLocal("majority"));
    }

    [Fact]
    public async Task An_isolated_old_leaders_uncommitted_entries_are_thrown_away_when_it_rejoins()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        await group.WaitForConvergenceAsync();
        await Faults.Split(group.Name, "alone", [leader.Replica]);

        // The isolated leader appends this but can never commit it.
        var ghost = await group.Replica(leader.Replica).Execute(KvRequest.Set("ghost", "boo"), forward: false, TimeSpan.FromMilliseconds(300));
        Assert.Equal(KvStatus.Timeout, ghost.Status);
        Assert.True((await group.Replica(leader.Replica).GetStatus()).LastLogIndex > (await group.Replica(group.Members.First(m => m != leader.Replica)).GetStatus()).LastLogIndex);

        await group.WaitForLeaderAsync(s => s.Replica != leader.Replica);
        for (var i = 0; i < 5; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"new{i}", "v")).Status);

        await Faults.Join(group.Name, "alone");
        var statuses = await group.WaitForConvergenceAsync();
        Assert.Single(statuses.Select(s => (s.LastLogIndex, s.LastLogTerm, s.CommitIndex)).Distinct());
        Assert.Equal(KvStatus.NotFound, (await group.Gateway.Get("ghost")).Status);
        foreach (var m in group.Members)
        {
            Assert.Null(await group.Replica(m).ReadLocal("ghost"));
            Assert.Equal("v", await group.Replica(m).ReadLocal("new4"));
        }
    }

    [Fact]
    public async Task A_stopped_follower_and_a_stopped_leader_come_back_from_stable_storage()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);

        await Faults.StopReplica(group.Name, follower);
        Assert.Equal(ReplicaRole.Stopped, (await group.Replica(follower).GetStatus()).Role);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("while", "follower stopped")).Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => group.Replica(follower).Execute(KvRequest.Get("while"), true, TimeSpan.FromSeconds(1)));
        await Faults.StartReplica(group.Name, follower, []);

        await Faults.StopReplica(group.Name, leader.Replica);
        var next = await group.WaitForLeaderAsync(s => s.Replica != leader.Replica);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("while", "leader stopped")).Status);
        await Faults.StartReplica(group.Name, leader.Replica, []);

        var statuses = await group.WaitForConvergenceAsync();
        Assert.All(statuses, s => Assert.Equal(next.CurrentTerm, s.CurrentTerm));
        foreach (var m in group.Members) Assert.Equal("leader stopped", await group.Replica(m).ReadLocal("while"));
    }

    [Fact]
    public async Task Writes_commit_through_ten_percent_message_loss()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        await group.WaitForLeaderAsync();
        await Faults.SetDropRate(group.Name, 0.10);

        var responses = new List<KvResponse>();
        for (var i = 0; i < 40; i++) responses.Add(await group.Gateway.Set($"lossy{i}", $"{i}"));
        Assert.All(responses, r => Assert.Equal(KvStatus.Ok, r.Status));

        await Faults.Heal(group.Name);
        await group.WaitForConvergenceAsync(minIndex: responses.Max(r => r.Index));
        for (var i = 0; i < 40; i++) Assert.Equal($"{i}", (await group.Gateway.Get($"lossy{i}")).Value);
    }

    [Fact]
    public async Task Delayed_and_reordered_messages_still_commit_every_write()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        await Faults.SetDelay(group.Name, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(60));

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => group.Gateway.Set($"slow{i}", $"{i}")));
        Assert.All(responses, r => Assert.Equal(KvStatus.Ok, r.Status));
        Assert.Equal(30, responses.Select(r => r.Index).Distinct().Count());

        await Faults.Heal(group.Name);
        await group.WaitForConvergenceAsync(minIndex: responses.Max(r => r.Index));
        foreach (var m in group.Members) Assert.Equal("29", await group.Replica(m).ReadLocal("slow29"));
    }

    [Fact]
    public async Task With_a_majority_stopped_every_request_times_out_and_no_write_is_applied()
    {
        var group = await RaftGroup.StartAsync(fixture.Client);
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("kept", "yes")).Status);
        var stopped = group.Members.Where(m => m != leader.Replica).Take(3).ToArray();
        foreach (var r in stopped) await Faults.StopReplica(group.Name, r);
        // Once the leader sees it has lost its majority it steps down; from then on nothing can be proposed.
        await RaftGroup.WaitForAsync(async () => (await group.StatusAsync()).All(s => s.Role != ReplicaRole.Leader) ? "" : null, "the leader to step down");

        var live = group.Members.Except(stopped).ToArray();
        var requests = new[]
        {
            await group.Gateway.Set("lost", "1"),
            await group.Gateway.Get("kept"),
            await group.Gateway.Delete("kept"),
            await group.Gateway.CompareAndSet("kept", "yes", "no"),
            await group.Gateway.ExecuteVia(live[0], KvRequest.Set("lost", "2")),
        };
        Assert.All(requests, r => Assert.Equal(KvStatus.Timeout, r.Status));
        Assert.All(requests, r => Assert.Contains("timed out", r.Error));

        foreach (var r in stopped) await Faults.StartReplica(group.Name, r, []);
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.NotFound, (await group.Gateway.Get("lost")).Status);
        Assert.Equal("yes", (await group.Gateway.Get("kept")).Value);
    }

    [Fact]
    public async Task Faults_touch_only_the_group_they_target()
    {
        var broken = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var healthy = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await broken.WaitForLeaderAsync();
        await healthy.WaitForLeaderAsync();

        await Faults.SetDropRate(broken.Name, 1.0);
        await Faults.StopReplica(broken.Name, "r1");
        for (var i = 0; i < 10; i++) Assert.Equal(KvStatus.Ok, (await healthy.Gateway.Set($"h{i}", "ok")).Status);
        Assert.All(await healthy.StatusAsync(), s => Assert.True(s.Running));
        Assert.Equal(KvStatus.Timeout, (await broken.Gateway.Set("b", "x")).Status);
        await Faults.Forget(broken.Name);
    }

    [Fact]
    public async Task Bad_fault_requests_are_refused_with_a_clear_error()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        Assert.Equal("unknown replica 'zz' in group '" + group.Name + "' (members: r1, r2, r3)",
            (await Assert.ThrowsAsync<ArgumentException>(() => Faults.Split(group.Name, "p", ["zz"]))).Message);
        Assert.Equal("a drop rate is between 0 and 1, not 1.5", (await Assert.ThrowsAsync<ArgumentException>(() => Faults.SetDropRate(group.Name, 1.5))).Message);
        Assert.StartsWith("a delay needs", (await Assert.ThrowsAsync<ArgumentException>(() => Faults.SetDelay(group.Name, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)))).Message);
        Assert.Equal($"group '{group.Name}' has no partition named 'nope'", (await Assert.ThrowsAsync<ArgumentException>(() => Faults.Join(group.Name, "nope"))).Message);
        Assert.Equal("replica 'r1' is on both sides of the cut", (await Assert.ThrowsAsync<ArgumentException>(() => Faults.Cut(group.Name, ["r1"], ["r1", "r2"]))).Message);
        Assert.StartsWith("unknown group 'nogroup'", (await Assert.ThrowsAsync<ArgumentException>(() => Faults.StopReplica("nogroup", "r1"))).Message);
    }
}

public sealed class FaultSwitchTests
{
    [Fact]
    public async Task Fault_injection_is_absent_unless_the_host_adds_it()
    {
        await using var cluster = await InProcessCluster.StartAsync(o =>
        {
            o.Group = "g";
            o.Replicas = ["r1", "r2", "r3"];
        }, faultInjection: false);
        var faults = cluster.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => faults.Split("g", "p", ["r1"]));
        Assert.Equal(FaultInjection.DisabledMessage, ex.Message);
        Assert.Equal(FaultInjection.DisabledMessage, (await Assert.ThrowsAsync<InvalidOperationException>(() => faults.StopReplica("g", "r1"))).Message);
        await cluster.WaitForLeaderAsync("g", TimeSpan.FromSeconds(30));
        Assert.Equal(KvStatus.Ok, (await cluster.Client.GetGrain<IKeyValueGatewayGrain>("g").Set("k", "v")).Status);
    }
}
