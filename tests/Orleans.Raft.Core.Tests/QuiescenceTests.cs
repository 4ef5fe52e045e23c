using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>Quiescence: an idle group stops ticking; see testdata/quiesce.txt for the protocol message by message.</summary>
public sealed class QuiescenceTests
{
    private const int MaxElectionTicks = 300;

    private static (SimulatedCluster Cluster, SafetyChecker Checker, SimNode Leader) QuiescedGroup(int size, int seed)
    {
        var c = new SimulatedCluster(size, seed);
        var checker = new SafetyChecker(c);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        var leader = c.StableLeader()!;
        Assert.Equal(ProposeRefusal.None, c.Propose(leader.Id, Commands.Set("k", "v", 1)).Refusal);
        Assert.True(c.RunUntil(() => c.Quiesce(leader.Id), MaxElectionTicks), c.TraceTail());
        c.RunTicks(5);
        checker.Check();
        Assert.All(c.Nodes, n => Assert.True(n.Raft.Quiesced, $"{n.Id} is not quiesced"));
        return (c, checker, leader);
    }

    [Fact]
    public void A_quiesced_group_sends_nothing_however_long_it_is_idle()
    {
        var (c, _, leader) = QuiescedGroup(3, 501);
        var sent = 0;
        c.OnSend = _ => sent++;
        c.RunTicks(1000);

        Assert.Equal(0, sent);
        Assert.Equal(RaftRole.Leader, leader.Raft.Role);
        Assert.All(c.Nodes, n => Assert.True(n.Raft.Quiesced));
    }

    [Fact]
    public void A_leader_woken_alone_keeps_leading_through_its_next_quorum_checks()
    {
        // Its followers are still asleep when it wakes, and it must hear from them again; its heartbeats wake them
        // before its quorum check, whatever point of its election timeout it quiesced at.
        for (var phase = 0; phase < 20; phase++)
        {
            var c = new SimulatedCluster(3, 502);
            var checker = new SafetyChecker(c);
            Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
            var leader = c.StableLeader()!;
            Assert.True(c.RunUntil(() => leader.Raft.CanQuiesce, MaxElectionTicks), c.TraceTail());
            c.RunTicks(phase);
            if (!c.Quiesce(leader.Id)) continue;
            c.RunTicks(3);
            var term = leader.Raft.CurrentTerm;
            c.Wake(leader.Id);
            for (var t = 0; t < 3 * leader.Config.ElectionTick; t++)
            {
                c.Tick();
                checker.Check();
                Assert.True(leader.Raft.Role == RaftRole.Leader, $"phase {phase}: the woken leader stepped down{Environment.NewLine}{c.TraceTail()}");
            }
            Assert.Equal(term, leader.Raft.CurrentTerm);
        }
    }

    [Fact]
    public void After_the_leader_crashes_woken_followers_elect_a_leader_that_holds_every_committed_entry()
    {
        var (c, checker, leader) = QuiescedGroup(5, 503);
        var committed = leader.Raft.CommitIndex;
        c.Crash(leader.Id);
        c.RunTicks(500);
        Assert.Null(c.Leader()); // asleep: nobody noticed

        foreach (var n in c.UpNodes.ToList()) c.Wake(n.Id);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        checker.Check();
        var next = c.StableLeader()!;
        Assert.True(next.Raft.CurrentTerm > leader.Raft.CurrentTerm);
        Assert.True(next.Raft.CommitIndex >= committed);
        Assert.Equal(ProposeRefusal.None, c.Propose(next.Id, Commands.Set("k", "w", 2)).Refusal);
        Assert.True(c.RunUntil(() => next.StateMachine.TryGet("k", out var v) && v == "w", MaxElectionTicks), c.TraceTail());
    }

    [Fact]
    public void A_quiesced_leader_deposed_behind_a_partition_never_commits()
    {
        // It never noticed it was cut off, and still thinks it leads: a proposal wakes it, but without a majority of
        // its term nothing commits, and once the partition heals it steps down and its entry is overwritten.
        var (c, checker, old) = QuiescedGroup(3, 504);
        c.Isolate(old.Id);
        foreach (var n in c.UpNodes.Where(n => n != old).ToList()) c.Wake(n.Id);
        Assert.True(c.RunUntil(() => c.Nodes.Any(n => n != old && n.Raft.Role == RaftRole.Leader), MaxElectionTicks), c.TraceTail());
        var next = c.Nodes.Single(n => n != old && n.Raft.Role == RaftRole.Leader);
        Assert.Equal(RaftRole.Leader, old.Raft.Role);
        Assert.True(old.Raft.Quiesced);

        var stale = c.Propose(old.Id, Commands.Set("k", "stale", 2));
        Assert.True(stale.Accepted);
        Assert.False(old.Raft.Quiesced);
        var fresh = c.Propose(next.Id, Commands.Set("k", "fresh", 3));
        Assert.True(fresh.Accepted);
        for (var t = 0; t < 100; t++)
        {
            c.Tick();
            checker.Check();
        }
        Assert.True(old.Raft.CommitIndex < stale.Index);

        c.Heal();
        Assert.True(c.RunUntil(() => c.Nodes.All(n => n.StateMachine.TryGet("k", out var v) && v == "fresh"), MaxElectionTicks), c.TraceTail());
        checker.Check();
        Assert.NotEqual(RaftRole.Leader, old.Raft.Role);
    }

    [Fact]
    public void A_woken_follower_cut_off_from_its_leader_campaigns_and_a_quiesced_peer_wakes_to_its_vote_request()
    {
        // The leader is gone without word (no wake for its death): a client request wakes one follower, which
        // campaigns; its pre-vote wakes the other, which grants once its own election timeout has passed.
        var (c, checker, leader) = QuiescedGroup(3, 505);
        c.Isolate(leader.Id);
        var woken = c.Nodes.First(n => n != leader);
        var sleeper = c.Nodes.Single(n => n != leader && n != woken);
        c.Wake(woken.Id);
        Assert.True(c.RunUntil(() => !sleeper.Raft.Quiesced, MaxElectionTicks), c.TraceTail());
        Assert.True(c.RunUntil(() => c.Nodes.Any(n => n != leader && n.Raft.Role == RaftRole.Leader), MaxElectionTicks), c.TraceTail());
        checker.Check();
    }

    [Fact]
    public void A_leader_does_not_quiesce_while_a_follower_lags_or_a_transfer_is_in_progress()
    {
        var c = new SimulatedCluster(3, 506);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        var leader = c.StableLeader()!;
        var lagging = c.Nodes.First(n => n != leader);
        c.Crash(lagging.Id);
        c.Propose(leader.Id, Commands.Set("k", "v", 1));
        c.RunTicks(50);
        Assert.False(leader.Raft.CanQuiesce);

        c.Restart(lagging.Id);
        Assert.True(c.RunUntil(() => leader.Raft.CanQuiesce, MaxElectionTicks), c.TraceTail());
        Assert.True(c.TransferLeadership(leader.Id, lagging.Id).Accepted);
        Assert.False(leader.Raft.CanQuiesce);
    }
}
