using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>
/// Figure 8 of the Raft paper, built message by message: an entry of an old term that sits on a majority is not
/// committed by counting replicas, and a later leader may overwrite it.
/// </summary>
public sealed class Figure8Tests
{
    private static bool Between(RaftMessage m, string a, string b) => (m.From == a && m.To == b) || (m.From == b && m.To == a);

    private static bool IsVote(RaftMessage m) => m.Type is MessageType.RequestVote or MessageType.RequestVoteResponse;

    private static bool Among(RaftMessage m, params string[] ids) => ids.Contains(m.From) && ids.Contains(m.To);

    /// <summary>Campaigns until the node leads, letting only vote traffic among the given nodes through.</summary>
    private static void ElectWithVotesFrom(SimulatedCluster c, string candidate, params string[] voters)
    {
        var group = voters.Append(candidate).ToArray();
        for (var attempt = 0; attempt < 5 && c[candidate].Raft.Role != RaftRole.Leader; attempt++)
        {
            c.Campaign(candidate);
            c.DeliverAll(m => IsVote(m) && Among(m, group));
        }
        Assert.Equal(RaftRole.Leader, c[candidate].Raft.Role);
    }

    /// <summary>
    /// Drives the cluster to Figure 8(c): n1 leads term t3 and has pushed its term-1 entry X (index 2) to n3 and n4,
    /// so X is on n1..n4 and n1's matchIndex says a majority holds index 2; n1's own no-op (index 3) is nowhere else.
    /// n5 holds a term-2 entry at index 2 that nobody else has.
    /// </summary>
    private static (SimulatedCluster Cluster, SafetyChecker Checker, LogEntry X) BuildFigure8c()
    {
        var c = new SimulatedCluster(5, 8, cfg => cfg with { PreVote = false, CheckQuorum = false, MaxEntriesPerMessage = 1 })
        {
            ManualDelivery = true,
        };
        var checker = new SafetyChecker(c);

        // n1 leads term 1; its no-op (index 1) commits everywhere.
        c.Campaign("n1");
        c.DeliverAll(_ => true);
        c.Tick(); // a heartbeat carries the commit index to followers that acked after it advanced
        c.DeliverAll(_ => true);
        Assert.Equal(RaftRole.Leader, c["n1"].Raft.Role);
        Assert.All(c.Nodes, n => Assert.Equal(1, n.Raft.CommitIndex));
        checker.Check();

        // (a) n1 replicates X only to n2, then crashes.
        var x = c.Propose("n1", Commands.Set("x", "old", 1));
        c.DeliverAll(m => Between(m, "n1", "n2"));
        c.DropPending(_ => true);
        Assert.Equal(1, c["n1"].Raft.CommitIndex);
        c.Crash("n1");
        checker.Check();

        // (b) n5 wins term 2 with n3 and n4, appends its no-op at index 2, reaches nobody, crashes.
        ElectWithVotesFrom(c, "n5", "n3", "n4");
        var t2 = c["n5"].Raft.CurrentTerm;
        Assert.Equal(t2, c["n5"].Raft.Log.TermAt(2));
        c.DropPending(_ => true);
        c.Crash("n5");
        checker.Check();

        // (c) n1 restarts and wins a later term with n2 and n3; its no-op goes to index 3.
        c.Restart("n1");
        ElectWithVotesFrom(c, "n1", "n2", "n3");
        var t3 = c["n1"].Raft.CurrentTerm;
        Assert.True(t3 > t2);
        Assert.Equal(t3, c["n1"].Raft.Log.TermAt(3));
        // Let n1 repair n3 and n4 up to index 2 but hold back its own term's entry. A probe carrying it may pass
        // only when the receiver lacks prevLogIndex, so it is sure to be rejected.
        bool OldEntriesOnly(RaftMessage m) =>
            !(m.Type == MessageType.AppendEntries && m.Entries.Any(e => e.Term == t3)) || c[m.To].Raft.Log.LastIndex < m.Index;
        c.DeliverAll(m => (Between(m, "n1", "n3") || Between(m, "n1", "n4")) && OldEntriesOnly(m));
        checker.Check();

        var logX = c["n1"].Raft.Log.At(x.Index);
        Assert.Equal(1, logX.Term);
        foreach (var id in new[] { "n1", "n2", "n3", "n4" }) Assert.Equal(logX, c[id].Raft.Log.At(2));
        Assert.Equal(2, c["n1"].Raft.Progress["n3"].MatchIndex);
        Assert.Equal(2, c["n1"].Raft.Progress["n4"].MatchIndex);
        return (c, checker, logX);
    }

    [Fact]
    public void An_old_term_entry_on_a_majority_is_not_committed_by_counting_replicas()
    {
        var (c, _, _) = BuildFigure8c();

        // n1, n3, n4 hold index 2 and n1 knows it, yet index 2 is of term 1: counting replicas must not commit it.
        Assert.Equal(1, c["n1"].Raft.CommitIndex);
        Assert.All(c.Nodes, n => Assert.Equal(1, n.Raft.CommitIndex));
        Assert.All(c.Nodes, n => Assert.False(n.StateMachine.TryGet("x", out _)));
    }

    [Fact]
    public void The_old_term_entry_commits_only_with_an_entry_of_the_leaders_term()
    {
        var (c, checker, x) = BuildFigure8c();
        var leader = c["n1"];

        // (e) The no-op of term t3 reaches n3: two of five hold index 3, still no commit.
        c.DeliverAll(m => Between(m, "n1", "n3"));
        Assert.Equal(3, leader.Raft.Progress["n3"].MatchIndex);
        Assert.Equal(1, leader.Raft.CommitIndex);

        // n4 makes a majority for index 3: the own-term entry commits, and X with it.
        c.DeliverAll(m => Between(m, "n1", "n4"));
        Assert.Equal(3, leader.Raft.CommitIndex);
        Assert.True(leader.StateMachine.TryGet("x", out var v));
        Assert.Equal("old", v);
        Assert.Equal(x, leader.Applied.Single(e => e.Index == 2));
        checker.Check();
    }

    [Fact]
    public void The_old_term_entry_may_be_overwritten_by_a_later_leader()
    {
        var (c, checker, x) = BuildFigure8c();

        // (d) n1 crashes; n5 (last entry of term 2) is more up to date than n2..n4 (last entry of term 1) and wins.
        c.DropPending(_ => true);
        c.Crash("n1");
        c.Restart("n5");
        ElectWithVotesFrom(c, "n5", "n2", "n3", "n4");
        c.DeliverAll(m => Among(m, "n2", "n3", "n4", "n5"));
        checker.Check();

        var n5Entry = c["n5"].Raft.Log.At(2);
        Assert.NotEqual(x.Term, n5Entry.Term);
        foreach (var id in new[] { "n2", "n3", "n4", "n5" })
        {
            Assert.Equal(n5Entry, c[id].Raft.Log.At(2)); // X, though once on four of five nodes, is gone
            Assert.Equal(c["n5"].Raft.CommitIndex, c[id].Raft.CommitIndex);
            Assert.False(c[id].StateMachine.TryGet("x", out _));
        }
        Assert.True(c["n5"].Raft.CommitIndex >= 3);

        // And n1, back up, loses X too.
        c.Restart("n1");
        c.DeliverAll(_ => true);
        c.ManualDelivery = false;
        c.RunTicks(5);
        checker.Check();
        Assert.Equal(n5Entry, c["n1"].Raft.Log.At(2));
        Assert.False(c["n1"].StateMachine.TryGet("x", out _));
    }
}
