using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Quiescence on three nodes: an idle group stops ticking, and every event that needs it awake wakes it. Quiescence is
/// observed through the replicas' status (Quiesced, and no tick timer), never through timing.
/// </summary>
[Collection(QuiescenceClusterCollection.Name)]
public sealed class QuiescenceTests(QuiescenceClusterFixture fixture)
{
    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    /// <summary>A group of three, one replica per node: r1 on the primary silo, r2 and r3 on the others.</summary>
    private async Task<RaftGroup> StartGroupAsync() =>
        await RaftGroup.StartAsync(fixture.Client, [.. fixture.Nodes.Select((node, i) => ReplicaKey.Member($"r{i + 1}", node))], "quiet");

    /// <summary>Waits until every replica of the group runs quiesced, its tick timer stopped, at commit index minCommit or later.</summary>
    private static Task<ReplicaStatus[]> WaitForQuiescedAsync(RaftGroup group, long minCommit = 1) =>
        RaftGroup.WaitForAsync(async () =>
        {
            var statuses = await group.StatusAsync();
            return statuses.All(s => s.Running && s.Quiesced && !s.Ticking && s.CommitIndex >= minCommit)
                && statuses.Count(s => s.Role == ReplicaRole.Leader) == 1 ? statuses : null;
        }, $"group {group.Name} to quiesce at commit {minCommit} or later");

    /// <summary>Makes a replica off the primary silo lead (a test may kill its node; the primary holds the membership table).</summary>
    private static async Task<ReplicaStatus> LeadOffPrimaryAsync(RaftGroup group)
    {
        var leader = await group.WaitForLeaderAsync();
        if (leader.Replica != "r1") return leader;
        var answer = await group.Replica("r1").TransferLeadership("r2", TimeSpan.FromSeconds(5));
        Assert.Equal(KvStatus.Ok, answer.Status);
        return await group.WaitForLeaderAsync(s => s.Replica == "r2");
    }

    [Fact]
    public async Task An_idle_group_quiesces_and_a_write_wakes_it_and_succeeds()
    {
        var group = await StartGroupAsync();
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);

        var quiet = await WaitForQuiescedAsync(group);
        var commit = quiet.Single(s => s.Role == ReplicaRole.Leader).CommitIndex;
        Assert.All(quiet, s => Assert.Equal(commit, s.CommitIndex)); // the notice carried the commit to every follower

        var write = await group.Gateway.Set("b", "2");
        Assert.Equal(KvStatus.Ok, write.Status);
        Assert.True(write.Index > commit);
        // The append woke the followers; once idle again, the group quiesces with the write committed everywhere.
        await WaitForQuiescedAsync(group, write.Index);
        foreach (var m in group.Members) Assert.Equal("2", await group.Replica(m).ReadLocal("b"));
        Assert.Equal("1", (await group.Gateway.Get("a")).Value);
    }

    [Fact]
    public async Task A_get_on_a_quiesced_group_wakes_it_is_served_without_a_log_entry_and_the_group_quiesces_again()
    {
        var group = await StartGroupAsync();
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);
        var quiet = await WaitForQuiescedAsync(group);
        var leader = quiet.Single(s => s.Role == ReplicaRole.Leader);
        var follower = quiet.First(s => s.Role != ReplicaRole.Leader).Replica;

        // The leader confirms the read with a heartbeat round, which needs its followers awake; a follower asks the leader.
        Assert.Equal("1", (await group.Gateway.Get("a")).Value);
        Assert.Equal("1", (await group.Replica(follower).Execute(KvRequest.Get("a"), forward: true, TimeSpan.FromSeconds(5))).Value);

        var again = await WaitForQuiescedAsync(group, leader.CommitIndex);
        Assert.All(again, s => Assert.Equal(0, s.PendingRequests));
        Assert.Equal((leader.Replica, leader.LastLogIndex), (again.Single(s => s.Role == ReplicaRole.Leader).Replica, again.Single(s => s.Role == ReplicaRole.Leader).LastLogIndex));
    }

    [Fact]
    public async Task A_quiesced_group_whose_leader_node_dies_elects_a_new_leader_and_serves()
    {
        var group = await StartGroupAsync();
        var leader = await LeadOffPrimaryAsync(group);
        for (var i = 0; i < 10; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"{i}")).Status);
        await WaitForQuiescedAsync(group, 10);

        var victim = fixture.SiloOf(leader.Node!);
        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            // Nothing but the node's death reaches the sleeping followers: no request is sent until a leader is seen.
            var next = await group.WaitForLeaderAsync(s => s.Replica != leader.Replica && s.CurrentTerm > leader.CurrentTerm);
            Assert.NotEqual(victim.Name, next.Node);
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "x")).Status);
            for (var i = 0; i < 10; i++) Assert.Equal($"{i}", (await group.Gateway.Get($"k{i}")).Value);
        }
        finally
        {
            await fixture.RestartAsync(victim);
        }
    }

    [Fact]
    public async Task A_quiesced_replica_whose_activation_ends_is_brought_back_by_its_node_with_no_reminder()
    {
        var group = await StartGroupAsync();
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);
        var quiet = await WaitForQuiescedAsync(group);
        var follower = quiet.First(s => s.Role == ReplicaRole.Follower);
        var metrics = ((InProcessSiloHandle)fixture.SiloOf(follower.Node!)).SiloHost.Services.GetRequiredService<RaftMetrics>();
        Assert.True(metrics.IsRunning(group.Name, follower.Replica));

        await group.Replica(follower.Replica).Deactivate();
        // Watched on its silo, without calling it (a call would activate it): nothing in the quiet group sends it anything.
        Assert.False(metrics.IsRunning(group.Name, follower.Replica));
        await RaftGroup.WaitForAsync(() => Task.FromResult(metrics.IsRunning(group.Name, follower.Replica) ? "" : null), $"{follower.Replica} to run again");
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("b", "2")).Status);
        await WaitForQuiescedAsync(group, 2);
    }

    [Fact]
    public async Task A_quiesced_follower_cut_off_by_a_fault_wakes_and_serves_a_client_once_healed_and_no_write_is_lost()
    {
        var group = await StartGroupAsync();
        await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);
        var quiet = await WaitForQuiescedAsync(group);
        var follower = quiet.First(s => s.Role == ReplicaRole.Follower).Replica;

        await Faults.Split(group.Name, "p", [follower]);
        // The fault woke it: it hears no leader now, and must be free to campaign when a client needs it.
        await RaftGroup.WaitForAsync(async () => (await group.Replica(follower).GetStatus()) is { Ticking: true, Quiesced: false } s ? s : null,
            $"{follower} to wake");
        await using var load = WriteLoad.Start(group.Gateway, writers: 2);
        await load.WaitForMoreAsync(20);

        await Faults.Heal(group.Name);
        await load.WaitForMoreAsync(20);
        // A client's write through the follower that was cut off, forwarded to the leader.
        var via = await group.Replica(follower).Execute(KvRequest.Set("via", follower), forward: true, TimeSpan.FromSeconds(5));
        Assert.Equal(KvStatus.Ok, via.Status);

        await load.StopAsync();
        Assert.Empty(load.Failures);
        await load.AssertNoneLostAsync(group.Gateway);
        var converged = await group.WaitForConvergenceAsync(via.Index);
        Assert.All(converged, s => Assert.Equal(converged[0].LastLogIndex, s.LastLogIndex));
    }

    [Fact]
    public async Task A_group_with_a_fault_injected_stays_awake_until_healed_even_when_every_message_still_arrives()
    {
        var group = await StartGroupAsync();
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);
        await WaitForQuiescedAsync(group);

        // A delay of at most 1 ms loses nothing, so every follower keeps answering: only the fault itself keeps the group
        // awake. A stopped replica or a cut link is a failure no node's death reports; a group asleep would not see it.
        await Faults.SetDelay(group.Name, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        var write = await group.Gateway.Set("b", "2");
        Assert.Equal(KvStatus.Ok, write.Status);

        // Counted in ticks of the leader's silo, not in time: 60 ticks are three of the longest election timeouts (20
        // ticks), in each of which an idle leader that hears from every follower would otherwise quiesce.
        var meter = ((InProcessSiloHandle)fixture.SiloOf(leader.Node!)).SiloHost.Services.GetRequiredService<RaftMetrics>().Meter;
        long ticks = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "raft.ticks") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref ticks, value));
        listener.Start();
        while (Interlocked.Read(ref ticks) < 60)
        {
            var statuses = await group.StatusAsync();
            Assert.All(statuses, s => Assert.False(s.Quiesced, $"{s.Replica} quiesced with a fault injected into its group"));
            await Task.Delay(20);
        }

        await Faults.Heal(group.Name);
        await WaitForQuiescedAsync(group, write.Index);
    }

    [Fact]
    public async Task A_quiesced_leader_cut_off_by_a_fault_is_replaced_and_no_acknowledged_write_is_lost()
    {
        var group = await StartGroupAsync();
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("a", "1")).Status);
        await WaitForQuiescedAsync(group);

        await Faults.Split(group.Name, "p", [leader.Replica]);
        await using var load = WriteLoad.Start(group.Gateway, writers: 2);
        // The two others wake with the fault, and elect one of them; the old leader, woken too, cannot commit.
        var next = await group.WaitForLeaderAsync(s => s.Replica != leader.Replica);
        await load.WaitForMoreAsync(20);
        await Faults.Heal(group.Name);
        await load.WaitForMoreAsync(20);

        await load.StopAsync();
        await load.AssertNoneLostAsync(group.Gateway);
        var statuses = await group.WaitForConvergenceAsync();
        Assert.Single(statuses, s => s.Role == ReplicaRole.Leader);
        Assert.True(statuses.Single(s => s.Role == ReplicaRole.Leader).CurrentTerm >= next.CurrentTerm);
    }
}
