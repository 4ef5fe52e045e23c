using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class ForcedCampaignTests
{
    private const int MaxElectionTicks = 300;

    private static SimNode ElectLeader(SimulatedCluster c)
    {
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        return c.StableLeader()!;
    }

    [Theory]
    [InlineData(3, 601)]
    [InlineData(5, 602)]
    public void A_forced_campaign_by_an_up_to_date_follower_wins_despite_the_leader_lease(int size, int seed)
    {
        var c = new SimulatedCluster(size, seed);
        var checker = new SafetyChecker(c);
        var old = ElectLeader(c);
        for (var i = 0; i < 5; i++) c.Propose(old.Id, Commands.Set($"k{i}", "v", i));
        c.RunTicks(2);
        var challenger = c.Nodes.First(n => n != old);
        Assert.Equal(old.Raft.Log.LastIndex, challenger.Raft.Log.LastIndex);
        var term = old.Raft.CurrentTerm;

        c.Campaign(challenger.Id, force: true);
        c.DeliverDue();
        checker.Check();

        Assert.Equal(RaftRole.Leader, challenger.Raft.Role);
        Assert.Equal(term + 1, challenger.Raft.CurrentTerm);
        Assert.Equal(RaftRole.Follower, old.Raft.Role);
        c.RunTicks(2);
        Assert.Equal(challenger.Id, c.StableLeader()?.Id);
        Assert.All(c.Nodes, n => Assert.Equal(challenger.Raft.CommitIndex, n.Raft.CommitIndex));
    }

    [Fact]
    public void A_non_forced_campaign_by_a_follower_is_ignored_while_the_leader_is_in_contact()
    {
        var c = new SimulatedCluster(3, 603);
        var old = ElectLeader(c);
        var follower = c.Nodes.First(n => n != old);

        c.Campaign(follower.Id, force: false);
        c.DeliverDue();
        c.RunTicks(5);

        Assert.Equal(old.Id, c.StableLeader()?.Id);
    }

    [Fact]
    public void A_forced_campaign_by_a_follower_with_a_stale_log_loses()
    {
        var c = new SimulatedCluster(3, 604);
        var checker = new SafetyChecker(c);
        var old = ElectLeader(c);
        var stale = c.Nodes.First(n => n != old);
        c.Isolate(stale.Id);
        for (var i = 0; i < 5; i++) c.Propose(old.Id, Commands.Set($"k{i}", "v", i));
        c.RunTicks(2);
        Assert.True(stale.Raft.Log.LastIndex < old.Raft.CommitIndex);

        c.Heal();
        c.Campaign(stale.Id, force: true);
        c.DeliverDue();
        checker.Check();

        Assert.NotEqual(RaftRole.Leader, stale.Raft.Role);
        // The forced request still deposed the leader (its term rose), but someone up to date takes over.
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        var leader = c.StableLeader()!;
        Assert.NotEqual(stale.Id, leader.Id);
        c.RunTicks(2);
        checker.Check();
        Assert.All(c.Nodes, n => Assert.True(n.StateMachine.TryGet("k4", out _)));
    }
}
