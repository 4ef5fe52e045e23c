using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class ElectionAndReplicationTests
{
    private const int MaxElectionTicks = 200;

    [Theory]
    [InlineData(1, 11)]
    [InlineData(3, 12)]
    [InlineData(5, 13)]
    public void A_leader_is_elected_and_every_node_agrees_on_its_term(int size, int seed)
    {
        var c = new SimulatedCluster(size, seed);

        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());

        var leader = c.StableLeader()!;
        var term = leader.Raft.CurrentTerm;
        Assert.Single(c.Nodes, n => n.Raft.Role == RaftRole.Leader);
        Assert.All(c.Nodes, n =>
        {
            Assert.Equal(term, n.Raft.CurrentTerm);
            Assert.Equal(leader.Id, n.Raft.LeaderId);
        });
        // The new leader's no-op commits everywhere (Raft §5.4.2), so the group is usable at once.
        c.RunTicks(2);
        Assert.All(c.Nodes, n => Assert.Equal(LogEntryType.NoOp, n.Applied.Last().Type));
    }

    [Fact]
    public void Leadership_is_stable_without_faults()
    {
        var c = new SimulatedCluster(5, 21);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks));
        var leader = c.StableLeader()!.Id;
        var term = c[leader].Raft.CurrentTerm;

        c.RunTicks(500);

        Assert.Equal(leader, c.StableLeader()?.Id);
        Assert.All(c.Nodes, n => Assert.Equal(term, n.Raft.CurrentTerm));
    }

    [Fact]
    public void Proposals_commit_and_apply_identically_on_every_node()
    {
        var c = new SimulatedCluster(5, 31);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks));
        var leader = c.StableLeader()!;

        var indexes = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            var r = c.Propose(leader.Id, Commands.Set($"k{i % 10}", $"v{i}", i));
            Assert.True(r.Accepted);
            indexes.Add(r.Index);
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => indexes[0] + i), indexes);
        c.RunTicks(3);

        Assert.All(c.Nodes, n =>
        {
            Assert.Equal(indexes[^1], n.Raft.CommitIndex);
            Assert.Equal(indexes[^1], n.StateMachine.LastAppliedIndex);
            Assert.Equal(leader.StateMachine.Data.OrderBy(p => p.Key), n.StateMachine.Data.OrderBy(p => p.Key));
            Assert.True(n.StateMachine.TryGet("k9", out var v));
            Assert.Equal("v49", v);
        });
    }

    [Fact]
    public void A_follower_refuses_proposals_and_names_the_leader()
    {
        var c = new SimulatedCluster(3, 41);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks));
        var leader = c.StableLeader()!;
        var follower = c.Nodes.First(n => n != leader);

        var r = c.Propose(follower.Id, Commands.Set("k", "v", 1));

        Assert.False(r.Accepted);
        Assert.Equal(leader.Id, r.LeaderHint);
        Assert.Equal(0, follower.Raft.Log.Count - leader.Raft.Log.Count);
    }

    [Fact]
    public void A_single_node_group_commits_without_peers()
    {
        var c = new SimulatedCluster(1, 51);
        c.Campaign("n1");
        Assert.Equal(RaftRole.Leader, c["n1"].Raft.Role);

        var r = c.Propose("n1", Commands.Set("a", "1", 1));

        Assert.Equal(r.Index, c["n1"].Raft.CommitIndex);
        Assert.True(c["n1"].StateMachine.TryGet("a", out var v));
        Assert.Equal("1", v);
    }
}
