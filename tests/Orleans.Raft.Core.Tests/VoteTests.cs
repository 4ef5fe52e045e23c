using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class VoteTests
{
    /// <summary>The up-to-date check of Raft §5.4.1, as a table (after etcd's TestVoter).</summary>
    [Theory]
    // voter log terms, candidate last index, candidate last term, granted
    [InlineData(new long[] { 1 }, 1, 1, true)] // same log
    [InlineData(new long[] { 1 }, 2, 1, true)] // longer log, same last term
    [InlineData(new long[] { 1, 1 }, 1, 1, false)] // shorter log, same last term
    [InlineData(new long[] { 1 }, 1, 2, true)] // higher last term
    [InlineData(new long[] { 1, 1 }, 1, 2, true)] // higher last term beats a longer log
    [InlineData(new long[] { 2 }, 5, 1, false)] // lower last term loses to any length
    [InlineData(new long[] { 1, 2 }, 2, 1, false)]
    [InlineData(new long[0], 0, 0, true)] // both empty
    public void A_vote_is_granted_only_to_a_candidate_at_least_as_up_to_date(long[] voterLog, long lastIndex, long lastTerm, bool granted)
    {
        var voter = Raw.Node("n1", term: 2, logTerms: voterLog);

        voter.Step(Raw.Vote("n2", "n1", 3, lastIndex, lastTerm));

        var reply = Assert.Single(Raw.Drain(voter));
        Assert.Equal(MessageType.RequestVoteResponse, reply.Type);
        Assert.Equal(!granted, reply.Reject);
        Assert.Equal(3, reply.Term);
        Assert.Equal(3, voter.CurrentTerm); // a higher term is adopted either way
        Assert.Equal(granted ? "n2" : null, voter.VotedFor);
    }

    [Fact]
    public void A_node_votes_at_most_once_per_term()
    {
        var voter = Raw.Node("n1", term: 1, logTerms: [1]);

        voter.Step(Raw.Vote("n2", "n1", 2, 1, 1));
        voter.Step(Raw.Vote("n3", "n1", 2, 5, 1)); // a second candidate of the same term, even more up to date

        var replies = Raw.Drain(voter);
        Assert.Equal(2, replies.Count);
        Assert.False(replies.Single(m => m.To == "n2").Reject);
        Assert.True(replies.Single(m => m.To == "n3").Reject);
        Assert.Equal("n2", voter.VotedFor);

        // The same candidate asking again (its first reply lost) gets the same answer.
        voter.Step(Raw.Vote("n2", "n1", 2, 1, 1));
        Assert.False(Assert.Single(Raw.Drain(voter)).Reject);

        // A new term frees the vote.
        voter.Step(Raw.Vote("n3", "n1", 3, 5, 1));
        Assert.False(Assert.Single(Raw.Drain(voter)).Reject);
        Assert.Equal("n3", voter.VotedFor);
    }

    [Fact]
    public void The_vote_survives_a_restart()
    {
        var store = new SimulatedStore();
        var voter = Raw.Node("n1", term: 1, logTerms: [1]);
        voter.Step(Raw.Vote("n2", "n1", 2, 1, 1));
        var rd = voter.GetReady();
        // The vote is persisted in the same Ready whose messages carry the grant, so it is durable before it is sent.
        Assert.Equal(new HardState(2, "n2", 0), rd.HardState);
        Assert.Contains(rd.Messages, m => m.Type == MessageType.RequestVoteResponse && !m.Reject);
        store.Persist(rd);
        voter.Advance(rd);

        var restarted = new RaftNode(Raw.Config("n1"), store.HardState, Raw.LogWithTerms(1), new SeededRaftRandom(2));
        restarted.Step(Raw.Vote("n3", "n1", 2, 9, 1));

        Assert.True(Assert.Single(Raw.Drain(restarted)).Reject);
        Assert.Equal("n2", restarted.VotedFor);
    }

    [Fact]
    public void A_stale_term_vote_request_is_rejected_without_changing_state()
    {
        var voter = Raw.Node("n1", term: 5, logTerms: [1]);

        voter.Step(Raw.Vote("n2", "n1", 4, 10, 4));

        Assert.Equal(5, voter.CurrentTerm);
        Assert.Null(voter.VotedFor);
    }

    [Fact]
    public void A_candidate_wins_with_a_majority_and_loses_with_a_majority_of_rejects()
    {
        var five = new[] { "n1", "n2", "n3", "n4", "n5" };
        var winner = Raw.Node("n1", term: 1, config: Raw.Config("n1", five));
        winner.Campaign(force: false);
        Assert.Equal(RaftRole.Candidate, winner.Role);
        winner.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n2", To = "n1", Term = 2 });
        Assert.Equal(RaftRole.Candidate, winner.Role);
        winner.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n2", To = "n1", Term = 2 }); // a duplicate counts once
        Assert.Equal(RaftRole.Candidate, winner.Role);
        winner.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n3", To = "n1", Term = 2 });
        Assert.Equal(RaftRole.Leader, winner.Role);
        Assert.Equal(LogEntryType.NoOp, winner.Log.At(winner.Log.LastIndex).Type);

        var loser = Raw.Node("n1", term: 1, config: Raw.Config("n1", five));
        loser.Campaign(force: false);
        foreach (var id in new[] { "n2", "n3", "n4" })
            loser.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = id, To = "n1", Term = 2, Reject = true });
        Assert.Equal(RaftRole.Follower, loser.Role);
        Assert.Equal(2, loser.CurrentTerm);
    }
}
