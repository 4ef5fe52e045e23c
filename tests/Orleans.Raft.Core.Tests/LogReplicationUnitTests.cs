using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>AppendEntries and the commit rule on single nodes driven by hand (after etcd's paper_test.go).</summary>
public sealed class LogReplicationUnitTests
{
    private static long[] Terms(RaftNode n) => [.. n.Log.Slice(1, n.Log.LastIndex).Select(e => e.Term)];

    /// <summary>A follower with log [1:1, 2:2, 3:2] gets AppendEntries from a leader of term 3 (Figure 2, receiver rules 2-4).</summary>
    [Theory]
    // prevIndex, prevTerm, entry terms (from prevIndex+1), expected log terms, reject, conflictIndex, conflictTerm
    [InlineData(3, 2, new long[] { 3 }, new long[] { 1, 2, 2, 3 }, false, 0, 0)] // append
    [InlineData(1, 1, new long[] { 3 }, new long[] { 1, 3 }, false, 0, 0)] // conflict at 2: truncate, then append
    [InlineData(0, 0, new long[] { 1, 2 }, new long[] { 1, 2, 2 }, false, 0, 0)] // already held: nothing truncated
    [InlineData(2, 2, new long[0], new long[] { 1, 2, 2 }, false, 0, 0)] // heartbeat
    [InlineData(5, 3, new long[] { 3 }, new long[] { 1, 2, 2 }, true, 4, 0)] // prevLogIndex past the end
    [InlineData(3, 3, new long[] { 3 }, new long[] { 1, 2, 2 }, true, 2, 2)] // term mismatch: hint the start of term 2
    [InlineData(1, 2, new long[] { 3 }, new long[] { 1, 2, 2 }, true, 1, 1)]
    public void A_follower_appends_truncates_or_rejects_with_a_conflict_hint(
        long prevIndex, long prevTerm, long[] entryTerms, long[] expectedLog, bool reject, long conflictIndex, long conflictTerm)
    {
        var f = Raw.Node("n1", term: 3, logTerms: [1, 2, 2]);
        var entries = entryTerms.Select((t, i) => Raw.Entry(prevIndex + 1 + i, t)).ToArray();

        f.Step(Raw.Append("n2", "n1", 3, prevIndex, prevTerm, 0, entries));

        Assert.Equal(expectedLog, Terms(f));
        var reply = Assert.Single(Raw.Drain(f));
        Assert.Equal(MessageType.AppendEntriesResponse, reply.Type);
        Assert.Equal(reject, reply.Reject);
        if (reject)
        {
            Assert.Equal(prevIndex, reply.Index);
            Assert.Equal(conflictIndex, reply.ConflictIndex);
            Assert.Equal(conflictTerm, reply.ConflictTerm);
        }
        else
        {
            Assert.Equal(prevIndex + entries.Length, reply.Index);
        }
    }

    [Fact]
    public void A_reordered_old_AppendEntries_never_shortens_the_log()
    {
        var f = Raw.Node("n1", term: 1);
        var both = Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1), Raw.Entry(2, 1));
        var first = Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1));

        f.Step(both);
        f.Step(first); // the earlier message arrives late

        Assert.Equal([1L, 1], Terms(f));
        Assert.All(Raw.Drain(f), m => Assert.False(m.Reject));
    }

    [Theory]
    // leaderCommit, entries in the message, expected commit
    [InlineData(2, 3, 2)]
    [InlineData(5, 3, 4)] // commit only what this message proved matches: up to the last new entry
    [InlineData(5, 0, 1)] // a heartbeat with prevIndex 1 proves the follower matches up to 1 only
    public void A_follower_commits_up_to_the_last_entry_the_message_proves(long leaderCommit, int count, long expected)
    {
        var f = Raw.Node("n1", term: 1, logTerms: [1, 1, 1, 1, 1]); // entries 2..5 may be stale
        var entries = Enumerable.Range(2, count).Select(i => Raw.Entry(i, 1)).ToArray();

        f.Step(Raw.Append("n2", "n1", 1, 1, 1, leaderCommit, entries));

        Assert.Equal(expected, f.CommitIndex);
    }

    [Fact]
    public void An_AppendEntries_below_the_commit_index_is_acknowledged_at_the_commit_index()
    {
        var f = Raw.Node("n1", term: 2, logTerms: [1, 1, 2], commit: 3);

        f.Step(Raw.Append("n2", "n1", 2, 1, 1, 3, Raw.Entry(2, 1)));

        var reply = Assert.Single(Raw.Drain(f));
        Assert.False(reply.Reject);
        Assert.Equal(3, reply.Index);
        Assert.Equal([1L, 1, 2], Terms(f));
    }

    [Fact]
    public void A_lower_term_AppendEntries_is_answered_with_the_higher_term_so_the_stale_leader_steps_down()
    {
        // As in etcd, the answer is sent when check-quorum or pre-vote is on: then a partitioned leader's term can lag.
        var f = Raw.Node("n1", term: 5, logTerms: [1], config: Raw.Config("n1", checkQuorum: true));

        f.Step(Raw.Append("n2", "n1", 3, 1, 1, 1, Raw.Entry(2, 3)));

        var reply = Assert.Single(Raw.Drain(f));
        Assert.Equal(MessageType.AppendEntriesResponse, reply.Type);
        Assert.Equal(5, reply.Term);
        Assert.Equal(1, f.Log.LastIndex);

        var stale = Raw.Node("n2", term: 3, logTerms: [1], config: Raw.Config("n2"));
        stale.Campaign(force: true);
        Raw.Drain(stale);
        stale.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n3", To = "n2", Term = 4 });
        Assert.Equal(RaftRole.Leader, stale.Role);
        stale.Step(reply with { To = "n2" });
        Assert.Equal(RaftRole.Follower, stale.Role);
        Assert.Equal(5, stale.CurrentTerm);
    }

    /// <summary>
    /// Regression (randomized seed 40938 of an earlier generator): the answer to a long-delayed AppendEntries from
    /// n1's own older leadership reached n1 after it won the follower's current term. It was a reject carrying the old
    /// message's prevLogIndex, far past n1's log now, and n1 set nextIndex there and threw "no term for prevLogIndex".
    /// </summary>
    [Fact]
    public void An_answer_to_a_stale_term_AppendEntries_does_not_move_the_current_leaders_nextIndex()
    {
        var leader = ElectedLeader(3, [1, 1]);
        Raw.Drain(leader);
        leader.Step(Ack("n2", 3, 3));
        Raw.Drain(leader);
        Assert.Equal(ProgressState.Replicate, leader.Progress["n2"].State);

        var follower = Raw.Node("n2", term: 3, logTerms: [1, 1, 3], config: Raw.Config("n2", checkQuorum: true));
        follower.Step(Raw.Append("n1", "n2", 2, 50, 2, 0)); // sent by n1 when it led term 2 with a longer log
        var answer = Assert.Single(Raw.Drain(follower));
        Assert.Equal(3, answer.Term);

        leader.Step(answer);
        Raw.Drain(leader);
        leader.Tick();
        Raw.Drain(leader);

        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(3, leader.Progress["n2"].MatchIndex);
        Assert.InRange(leader.Progress["n2"].NextIndex, 4, leader.Log.LastIndex + 1);
    }

    private static RaftNode ElectedLeader(long term, long[] logTerms, int members = 3)
    {
        var ids = Enumerable.Range(1, members).Select(i => $"n{i}").ToArray();
        var leader = Raw.Node("n1", term: term - 1, logTerms: logTerms, config: Raw.Config("n1", ids));
        leader.Campaign(force: false);
        Raw.Drain(leader);
        foreach (var id in ids.Skip(1).Take(members / 2))
            leader.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = id, To = "n1", Term = term });
        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(term, leader.CurrentTerm);
        return leader;
    }

    private static RaftMessage Ack(string from, long term, long index) =>
        new() { Type = MessageType.AppendEntriesResponse, From = from, To = "n1", Term = term, Index = index };

    [Fact]
    public void A_new_leader_appends_a_no_op_of_its_term_and_sends_it()
    {
        var leader = ElectedLeader(3, [1, 2]);

        var noop = leader.Log.At(3);
        Assert.Equal((LogEntryType.NoOp, 3L), (noop.Type, noop.Term));
        var sent = Raw.Drain(leader).Where(m => m.Type == MessageType.AppendEntries).ToList();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, m =>
        {
            Assert.Equal((2L, 2L), (m.Index, m.LogTerm)); // probing right after its last entry before the no-op
            Assert.Equal(noop, Assert.Single(m.Entries));
        });
    }

    [Fact]
    public void A_leader_commits_earlier_terms_only_through_an_entry_of_its_own_term()
    {
        var leader = ElectedLeader(3, [1, 2]);
        Raw.Drain(leader);

        leader.Step(Ack("n2", 3, 2)); // n2 matches through the term-2 entry: a majority holds index 2
        Assert.Equal(0, leader.CommitIndex);

        leader.Step(Ack("n2", 3, 3)); // the no-op of term 3 on a majority commits everything before it
        Assert.Equal(3, leader.CommitIndex);
    }

    [Fact]
    public void A_leader_counts_a_majority_of_five_before_committing_and_itself_only_once_its_write_is_durable()
    {
        var leader = ElectedLeader(2, [1], members: 5);
        Raw.Drain(leader);
        var r = leader.Propose([42]);

        leader.Step(Ack("n2", 2, r.Index));
        Assert.Equal(0, leader.CommitIndex);
        leader.Step(Ack("n2", 2, r.Index)); // a duplicate ack is still one replica
        Assert.Equal(0, leader.CommitIndex);
        leader.Step(Ack("n5", 2, r.Index));
        Assert.True(leader.CommitIndex < r.Index); // two followers, and a leader whose own write has not completed
        Raw.Drain(leader);
        Assert.Equal(r.Index, leader.CommitIndex);
    }

    [Fact]
    public void Three_followers_of_five_commit_while_the_leaders_own_write_is_in_flight()
    {
        var leader = ElectedLeader(2, [1], members: 5);
        Raw.Drain(leader);
        foreach (var follower in new[] { "n2", "n3", "n4", "n5" }) leader.Step(Ack(follower, 2, leader.Log.LastIndex));
        Raw.Drain(leader);
        var committed = leader.CommitIndex;
        var r = leader.Propose([42]);
        var rd = leader.GetReady();
        Assert.Contains(rd.LeaderMessages, m => m.Type == MessageType.AppendEntries && m.To == "n2" && m.Entries.Count > 0);
        Assert.DoesNotContain(rd.Messages, m => m.Type == MessageType.AppendEntries);

        foreach (var follower in new[] { "n2", "n3" }) leader.Step(Ack(follower, 2, r.Index));
        Assert.Equal(committed, leader.CommitIndex);
        leader.Step(Ack("n4", 2, r.Index));
        Assert.Equal(r.Index, leader.CommitIndex);
        leader.Advance(rd);
    }

    [Fact]
    public void A_leader_ignores_responses_of_an_older_term()
    {
        var leader = ElectedLeader(3, [1]);
        Raw.Drain(leader);

        leader.Step(Ack("n2", 2, 2));

        Assert.Equal(0, leader.Progress["n2"].MatchIndex);
        Assert.Equal(0, leader.CommitIndex);
    }

    [Fact]
    public void After_a_reject_the_leader_probes_from_the_hint_and_then_streams()
    {
        var leader = ElectedLeader(3, [1, 1, 1, 2, 2, 2]);
        Raw.Drain(leader);

        // n2's entry 6 is of term 1, in a run from index 1; the leader's last term-1 entry is 3, so it resumes at 4.
        leader.Step(new RaftMessage
        {
            Type = MessageType.AppendEntriesResponse,
            From = "n2",
            To = "n1",
            Term = 3,
            Index = 6,
            Reject = true,
            ConflictIndex = 1,
            ConflictTerm = 1,
        });
        var probe = Assert.Single(Raw.Drain(leader), m => m.To == "n2");
        Assert.Equal((3L, 1L), (probe.Index, probe.LogTerm));
        Assert.Equal(ProgressState.Probe, leader.Progress["n2"].State);

        leader.Step(Ack("n2", 3, 7));
        Assert.Equal(ProgressState.Replicate, leader.Progress["n2"].State);
        Assert.Equal(7, leader.Progress["n2"].MatchIndex);
        Assert.Equal(7, leader.CommitIndex);
    }
}
