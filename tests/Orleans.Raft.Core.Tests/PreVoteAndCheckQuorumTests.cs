using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class PreVoteAndCheckQuorumTests
{
    private const int MaxElectionTicks = 300;

    private static SimNode ElectLeader(SimulatedCluster c)
    {
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        return c.StableLeader()!;
    }

    [Fact]
    public void With_pre_vote_a_rejoining_partitioned_node_does_not_raise_the_term_or_disrupt_the_leader()
    {
        var c = new SimulatedCluster(3, 401);
        var leader = ElectLeader(c);
        var term = leader.Raft.CurrentTerm;
        var loner = c.Nodes.First(n => n != leader);

        c.Isolate(loner.Id);
        c.RunTicks(200); // many election timeouts: the loner keeps pre-campaigning and never wins a pre-vote
        Assert.Equal(term, loner.Raft.CurrentTerm);
        Assert.NotEqual(RaftRole.Candidate, loner.Raft.Role);

        c.Heal();
        c.RunTicks(50);

        Assert.Equal(leader.Id, c.StableLeader()?.Id);
        Assert.All(c.Nodes, n => Assert.Equal(term, n.Raft.CurrentTerm));
    }

    [Fact]
    public void Without_pre_vote_a_rejoining_partitioned_node_forces_a_new_term()
    {
        // The contrast that shows what pre-vote buys: the loner's raised term deposes the healthy leader.
        var c = new SimulatedCluster(3, 402, cfg => cfg with { PreVote = false });
        var leader = ElectLeader(c);
        var term = leader.Raft.CurrentTerm;
        var loner = c.Nodes.First(n => n != leader);

        c.Isolate(loner.Id);
        c.RunTicks(200);
        Assert.True(loner.Raft.CurrentTerm > term + 1);

        c.Heal();
        c.RunTicks(100);

        Assert.True(c.Nodes.All(n => n.Raft.CurrentTerm >= loner.Raft.CurrentTerm), c.TraceTail());
        Assert.NotNull(c.StableLeader());
    }

    [Fact]
    public void With_check_quorum_an_isolated_leader_steps_down_within_an_election_timeout()
    {
        var c = new SimulatedCluster(5, 403);
        var leader = ElectLeader(c);
        var electionTick = leader.Config.ElectionTick;
        c.RunTicks(3 * electionTick); // settle into a steady state with every follower recently active

        c.Isolate(leader.Id);
        var ticks = 0;
        while (leader.Raft.Role == RaftRole.Leader && ticks < 5 * electionTick)
        {
            c.Tick();
            ticks++;
        }

        Assert.Equal(RaftRole.Follower, leader.Raft.Role);
        // It checks the quorum once per election timeout, so it notices within two of them at worst.
        Assert.InRange(ticks, 1, 2 * electionTick);
        Assert.Null(leader.Raft.LeaderId);
        var r = c.Propose(leader.Id, Commands.Set("k", "v", 1));
        Assert.False(r.Accepted);
    }

    [Fact]
    public void Without_check_quorum_an_isolated_leader_keeps_leading()
    {
        var c = new SimulatedCluster(3, 404, cfg => cfg with { CheckQuorum = false });
        var leader = ElectLeader(c);

        c.Isolate(leader.Id);
        c.RunTicks(100);

        Assert.Equal(RaftRole.Leader, leader.Raft.Role);
    }

    [Fact]
    public void Followers_that_hear_a_leader_ignore_a_vote_request_of_a_higher_term()
    {
        // The leader lease: with check-quorum a follower in contact with its leader does not help depose it.
        var follower = Raw.Node("n1", term: 2, logTerms: [1, 2], config: Raw.Config("n1", checkQuorum: true));
        follower.Step(Raw.Append("n2", "n1", 2, 2, 2));
        Raw.Drain(follower);

        follower.Step(Raw.Vote("n3", "n1", 3, 2, 2));

        Assert.Equal(2, follower.CurrentTerm);
        Assert.Null(follower.VotedFor);
        Assert.Empty(Raw.Drain(follower));
    }

    [Fact]
    public void A_pre_vote_does_not_change_the_voters_term_or_vote()
    {
        var voter = Raw.Node("n1", term: 2, logTerms: [1, 2], config: Raw.Config("n1", preVote: true));

        voter.Step(Raw.Vote("n2", "n1", 3, 2, 2, preVote: true));

        var reply = Assert.Single(Raw.Drain(voter));
        Assert.Equal(MessageType.RequestPreVoteResponse, reply.Type);
        Assert.False(reply.Reject);
        Assert.Equal(3, reply.Term);
        Assert.Equal(2, voter.CurrentTerm);
        Assert.Null(voter.VotedFor);
        Assert.Equal(new HardState(2, null, 0), voter.HardState);
    }

    [Fact]
    public void A_pre_candidate_raises_its_term_only_after_winning_the_pre_vote()
    {
        var node = Raw.Node("n1", term: 4, logTerms: [4], config: Raw.Config("n1", preVote: true));

        node.Campaign(force: false);

        Assert.Equal(RaftRole.PreCandidate, node.Role);
        Assert.Equal(4, node.CurrentTerm);
        var requests = Raw.Drain(node);
        Assert.All(requests, m =>
        {
            Assert.Equal(MessageType.RequestPreVote, m.Type);
            Assert.Equal(5, m.Term);
        });

        node.Step(new RaftMessage { Type = MessageType.RequestPreVoteResponse, From = "n2", To = "n1", Term = 5 });

        Assert.Equal(RaftRole.Candidate, node.Role);
        Assert.Equal(5, node.CurrentTerm);
        Assert.Equal("n1", node.VotedFor);
        Assert.All(Raw.Drain(node), m => Assert.Equal(MessageType.RequestVote, m.Type));
    }
}
