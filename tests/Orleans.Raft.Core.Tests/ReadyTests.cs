using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class ReadyTests
{
    private static RaftNode Follower() => Raw.Node("n1");

    private static void AssertStoreMatchesLog(SimulatedStore store, RaftNode node)
    {
        Assert.Equal(node.Log.Slice(1, node.Log.LastIndex), store.Entries);
        Assert.Equal(node.HardState, store.HardState);
    }

    [Fact]
    public void Entries_replaced_while_a_Ready_is_in_flight_are_persisted_again()
    {
        var node = Follower();
        var store = new SimulatedStore();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1), Raw.Entry(2, 1), Raw.Entry(3, 1)));
        var rd1 = node.GetReady();
        Assert.Equal([1L, 2, 3], rd1.Entries.Select(e => e.Index));

        // While rd1 is being written, a leader of term 2 replaces entries 2 and 3 with one entry.
        node.Step(Raw.Append("n3", "n1", 2, 1, 1, 0, Raw.Entry(2, 2, 9)));
        store.Persist(rd1); // the old entries 2 and 3 reach the disk
        node.Advance(rd1);

        Assert.True(node.HasReady);
        var rd2 = node.GetReady();
        var replaced = Assert.Single(rd2.Entries);
        Assert.Equal((2L, 2L), (replaced.Index, replaced.Term));
        Assert.Equal(2, rd2.HardState?.CurrentTerm);
        // The ack to the new leader travels only with the Ready that makes its entry durable.
        Assert.Contains(rd2.Messages, m => m.To == "n3" && m.Type == MessageType.AppendEntriesResponse && !m.Reject && m.Index == 2);
        store.Persist(rd2);
        node.Advance(rd2);

        AssertStoreMatchesLog(store, node);
        Assert.False(node.HasReady);
    }

    [Fact]
    public void Entries_replaced_at_the_same_length_while_a_Ready_is_in_flight_are_persisted_again()
    {
        var node = Follower();
        var store = new SimulatedStore();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1), Raw.Entry(2, 1), Raw.Entry(3, 1)));
        var rd1 = node.GetReady();
        node.Step(Raw.Append("n3", "n1", 2, 1, 1, 0, Raw.Entry(2, 2), Raw.Entry(3, 2)));
        Assert.Equal(3, node.Log.LastIndex); // same last index, different entries

        store.Persist(rd1);
        node.Advance(rd1);
        var rd2 = node.GetReady();
        store.Persist(rd2);
        node.Advance(rd2);

        Assert.Equal([2L, 3], rd2.Entries.Select(e => e.Index));
        AssertStoreMatchesLog(store, node);
    }

    [Fact]
    public void Durable_entries_replaced_while_a_Ready_is_in_flight_are_persisted_again()
    {
        var node = Follower();
        var store = new SimulatedStore();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1), Raw.Entry(2, 1), Raw.Entry(3, 1)));
        var rd = node.GetReady();
        store.Persist(rd);
        node.Advance(rd);

        node.Step(Raw.Append("n2", "n1", 1, 3, 1, 0, Raw.Entry(4, 1), Raw.Entry(5, 1)));
        var inFlight = node.GetReady();
        // A new leader rewrites from index 2: below what the in-flight Ready writes, and below what is already durable.
        node.Step(Raw.Append("n3", "n1", 2, 1, 1, 0, Raw.Entry(2, 2)));
        store.Persist(inFlight);
        node.Advance(inFlight);
        var next = node.GetReady();
        store.Persist(next);
        node.Advance(next);

        Assert.Equal(2, next.Entries[0].Index);
        AssertStoreMatchesLog(store, node);
    }

    [Fact]
    public void Appends_while_a_Ready_is_in_flight_come_in_the_next_Ready_once()
    {
        var node = Follower();
        var store = new SimulatedStore();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1)));
        var rd1 = node.GetReady();
        node.Step(Raw.Append("n2", "n1", 1, 1, 1, 1, Raw.Entry(2, 1)));
        store.Persist(rd1);
        node.Advance(rd1);

        var rd2 = node.GetReady();
        Assert.Equal(2, Assert.Single(rd2.Entries).Index);
        Assert.Equal(1, Assert.Single(rd2.CommittedEntries).Index);
        store.Persist(rd2);
        node.Advance(rd2);

        Assert.False(node.HasReady);
        Assert.Equal(1, node.LastApplied);
        AssertStoreMatchesLog(store, node);
    }

    [Fact]
    public void No_second_Ready_before_Advance()
    {
        var node = Follower();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 0, Raw.Entry(1, 1)));
        var rd = node.GetReady();
        node.Step(Raw.Append("n2", "n1", 1, 1, 1, 0, Raw.Entry(2, 1)));

        Assert.False(node.HasReady);
        Assert.Throws<InvalidOperationException>(node.GetReady);
        node.Advance(rd);
        Assert.Throws<InvalidOperationException>(() => node.Advance(rd));
        Assert.True(node.HasReady);
    }

    [Fact]
    public void Committed_entries_come_after_they_are_durable_and_are_handed_out_once()
    {
        var node = Follower();
        node.Step(Raw.Append("n2", "n1", 1, 0, 0, 2, Raw.Entry(1, 1), Raw.Entry(2, 1), Raw.Entry(3, 1)));
        var rd = node.GetReady();

        // The Ready that first carries an entry may also commit it: the shell persists before it applies.
        Assert.Equal([1L, 2, 3], rd.Entries.Select(e => e.Index));
        Assert.Equal([1L, 2], rd.CommittedEntries.Select(e => e.Index));
        Assert.Equal(new HardState(1, null, 2), rd.HardState);
        node.Advance(rd);
        Assert.Equal(2, node.LastApplied);
        Assert.False(node.HasReady);
    }

    [Fact]
    public void A_lone_leader_commits_only_once_its_write_is_durable()
    {
        // Quorum of one, and the leader counts itself only once durable (thesis §10.2.1): nothing commits in memory.
        var config = Raw.Config("n1", ["n1"]);
        var store = new SimulatedStore();
        var node = new RaftNode(config, HardState.Empty, new RaftLog([]), new SeededRaftRandom(1));
        node.Campaign(force: false);
        Drain(node, store);

        var r = node.Propose([7]);
        Assert.True(node.CommitIndex < r.Index);
        var rd = node.GetReady();
        Assert.Equal(r.Index, rd.Entries[^1].Index);
        Assert.DoesNotContain(rd.CommittedEntries, e => e.Index == r.Index);

        // Crash before the write: the restarted node has neither the entry nor a commit index covering it.
        var restarted = new RaftNode(config, store.HardState, store.LoadLog(), new SeededRaftRandom(2));
        Assert.True(restarted.Log.LastIndex < r.Index);
        Assert.True(restarted.CommitIndex < r.Index);

        store.Persist(rd);
        node.Advance(rd);
        Assert.Equal(r.Index, node.CommitIndex);
        Assert.Contains(node.GetReady().CommittedEntries, e => e.Index == r.Index);
    }

    private static void Drain(RaftNode node, SimulatedStore store)
    {
        while (node.HasReady)
        {
            var rd = node.GetReady();
            store.Persist(rd);
            node.Advance(rd);
        }
    }

    [Fact]
    public void A_restarted_node_recovers_its_log_and_reapplies_committed_entries()
    {
        var c = new SimulatedCluster(3, 501);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, 300));
        var leader = c.StableLeader()!;
        for (var i = 0; i < 10; i++) c.Propose(leader.Id, Commands.Set($"k{i}", $"v{i}", i));
        c.RunTicks(2);
        var follower = c.Nodes.First(n => n != leader);
        var log = follower.Raft.Log.Slice(1, follower.Raft.Log.LastIndex);
        var commit = follower.Raft.CommitIndex;
        var data = follower.StateMachine.Data.OrderBy(p => p.Key).ToList();

        c.Isolate(follower.Id); // no leader to tell it the commit index again
        c.Crash(follower.Id);
        c.Restart(follower.Id);

        Assert.Equal(log, follower.Raft.Log.Slice(1, follower.Raft.Log.LastIndex));
        Assert.Equal(commit, follower.Raft.CommitIndex);
        Assert.Equal(commit, follower.StateMachine.LastAppliedIndex);
        Assert.Equal(data, follower.StateMachine.Data.OrderBy(p => p.Key));
    }
}
