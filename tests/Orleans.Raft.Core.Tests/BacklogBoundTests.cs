using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>A leader's uncommitted backlog is bounded in entries and payload bytes, as etcd's MaxUncommittedEntriesSize.</summary>
public sealed class BacklogBoundTests
{
    private const int MaxElectionTicks = 200;

    private static (SimulatedCluster Cluster, SimNode Leader) Elect(int seed, Func<RaftConfig, RaftConfig> configure)
    {
        var c = new SimulatedCluster(3, seed, configure);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        var leader = c.StableLeader()!;
        c.RunTicks(2); // the no-op commits
        Assert.Equal(leader.Raft.Log.LastIndex, leader.Raft.CommitIndex);
        return (c, leader);
    }

    private static byte[] Payload(int n, int valueLength = 10) => Commands.Set($"k{n}", new string('v', valueLength), n);

    [Fact]
    public void Proposals_past_the_entry_bound_are_refused_as_overloaded_and_append_nothing()
    {
        var (c, leader) = Elect(101, cfg => cfg with { MaxUncommittedEntries = 4 });
        c.Isolate(leader.Id); // nothing commits: the backlog only grows

        for (var i = 0; i < 4; i++) Assert.True(c.Propose(leader.Id, Payload(i)).Accepted);
        var last = leader.Raft.Log.LastIndex;

        var refused = c.Propose(leader.Id, Payload(4));
        Assert.False(refused.Accepted);
        Assert.True(refused.Overloaded);
        Assert.Equal(leader.Id, refused.LeaderHint);
        Assert.Equal(last, leader.Raft.Log.LastIndex);
        Assert.Equal(4, leader.Raft.UncommittedEntries);
        Assert.Equal(RaftRole.Leader, leader.Raft.Role);
    }

    [Fact]
    public void Proposals_past_the_byte_bound_are_refused_and_accepted_again_once_the_backlog_commits()
    {
        var size = Payload(0).Length;
        var (c, leader) = Elect(102, cfg => cfg with { MaxUncommittedBytes = 2 * size + size / 2 });
        c.Isolate(leader.Id);

        Assert.True(c.Propose(leader.Id, Payload(0)).Accepted);
        Assert.True(c.Propose(leader.Id, Payload(1)).Accepted);
        Assert.Equal(2 * size, leader.Raft.UncommittedBytes);
        var refused = c.Propose(leader.Id, Payload(2));
        Assert.True(refused.Overloaded);
        var last = leader.Raft.Log.LastIndex;

        c.Heal();
        Assert.True(c.RunUntil(() => leader.Raft.CommitIndex == last, MaxElectionTicks), c.TraceTail());
        Assert.Equal(RaftRole.Leader, leader.Raft.Role);
        Assert.Equal(0, leader.Raft.UncommittedEntries);
        Assert.Equal(0, leader.Raft.UncommittedBytes);

        var again = c.Propose(leader.Id, Payload(2));
        Assert.True(again.Accepted);
        Assert.False(again.Overloaded);
        Assert.True(c.RunUntil(() => c.Nodes.All(n => n.Raft.LastApplied >= again.Index), MaxElectionTicks), c.TraceTail());
    }

    [Fact]
    public void A_proposal_larger_than_the_byte_bound_is_admitted_when_nothing_is_uncommitted()
    {
        var (c, leader) = Elect(103, cfg => cfg with { MaxUncommittedBytes = 16 });
        c.Isolate(leader.Id);

        // Refusing it would refuse it forever; like etcd, an empty backlog admits anything the request size limit allows.
        var big = c.Propose(leader.Id, Payload(0, valueLength: 1000));
        Assert.True(big.Accepted);
        Assert.True(leader.Raft.UncommittedBytes > 16);
        Assert.True(c.Propose(leader.Id, Payload(1)).Overloaded);

        c.Heal();
        Assert.True(c.RunUntil(() => leader.Raft.CommitIndex >= big.Index, MaxElectionTicks), c.TraceTail());
        Assert.True(c.Propose(leader.Id, Payload(1)).Accepted);
    }

    [Fact]
    public void A_leader_that_loses_leadership_forgets_its_backlog_and_a_new_term_starts_empty()
    {
        var (c, old) = Elect(104, cfg => cfg with { MaxUncommittedEntries = 3 });
        c.Isolate(old.Id);
        for (var i = 0; i < 3; i++) Assert.True(c.Propose(old.Id, Payload(i)).Accepted);
        Assert.True(c.Propose(old.Id, Payload(3)).Overloaded);

        // The majority elects another leader; the old one hears its term on healing and steps down.
        Assert.True(c.RunUntil(() => c.Nodes.Any(n => n.Id != old.Id && n.Raft.Role == RaftRole.Leader), MaxElectionTicks), c.TraceTail());
        c.Heal();
        Assert.True(c.RunUntil(() => c.StableLeader() is { } l && l.Id != old.Id && old.Raft.Role == RaftRole.Follower, MaxElectionTicks), c.TraceTail());
        Assert.Equal(0, old.Raft.UncommittedEntries);
        Assert.Equal(0, old.Raft.UncommittedBytes);

        // Elected again, it starts from an empty backlog in its new term: the discarded entries hold nothing.
        c.RunTicks(5);
        c.Campaign(old.Id, force: true);
        Assert.True(c.RunUntil(() => c.StableLeader()?.Id == old.Id, MaxElectionTicks), c.TraceTail());
        for (var i = 10; i < 13; i++) Assert.True(c.Propose(old.Id, Payload(i)).Accepted);
        Assert.Equal(3, old.Raft.UncommittedEntries);
    }
}
