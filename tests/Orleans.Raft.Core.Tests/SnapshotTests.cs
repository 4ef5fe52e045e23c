using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>Log compaction and InstallSnapshot (Raft §7, Figure 13) through the simulated shell, and the core by hand.</summary>
public sealed class SnapshotTests
{
    private const int MaxTicks = 300;

    private static SimulatedCluster Cluster(int seed, int snapshotEvery = 5, int chunkBytes = 64, int catchUpEntries = 0) =>
        new(3, seed, c => c with { SnapshotChunkBytes = chunkBytes, SnapshotCatchUpEntries = catchUpEntries }) { SnapshotEvery = snapshotEvery };

    private static SimNode ElectLeader(SimulatedCluster c, SafetyChecker checker)
    {
        Assert.True(RunChecked(c, checker, () => c.StableLeader() is not null, MaxTicks), c.TraceTail());
        return c.StableLeader()!;
    }

    private static bool RunChecked(SimulatedCluster c, SafetyChecker checker, Func<bool> condition, int maxTicks)
    {
        for (var i = 0; i < maxTicks; i++)
        {
            if (condition()) return true;
            c.Tick();
            checker.Check();
        }
        return condition();
    }

    private static void ProposeCommitted(SimulatedCluster c, SafetyChecker checker, string at, int count, int firstRequest)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(c.Propose(at, Commands.Set($"k{firstRequest + i}", $"v{firstRequest + i}", firstRequest + i)).Accepted);
            c.Tick();
            checker.Check();
        }
    }

    private static void AssertSameState(SimNode expected, SimNode actual)
    {
        Assert.Equal(expected.StateMachine.LastAppliedIndex, actual.StateMachine.LastAppliedIndex);
        Assert.Equal(expected.StateMachine.Data.OrderBy(p => p.Key), actual.StateMachine.Data.OrderBy(p => p.Key));
    }

    /// <summary>Partitions a follower, then commits and compacts on the majority until the leader's log starts past the follower's.</summary>
    private static (SimNode Leader, SimNode Follower) CompactPastAFollower(SimulatedCluster c, SafetyChecker checker, int proposals = 30)
    {
        var leader = ElectLeader(c, checker);
        ProposeCommitted(c, checker, leader.Id, 3, 0);
        var follower = c.Nodes.First(n => n != leader);
        c.Isolate(follower.Id);
        ProposeCommitted(c, checker, leader.Id, proposals, 100);
        c.RunTicks(3);
        checker.Check();
        Assert.Same(leader, c.Leader());
        Assert.True(leader.Raft.Log.SnapshotIndex > follower.Raft.Log.LastIndex, c.TraceTail());
        return (leader, follower);
    }

    [Fact]
    public void A_follower_behind_the_compacted_log_catches_up_through_a_snapshot_in_several_chunks()
    {
        var c = Cluster(801);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        var chunks = 0;
        c.OnSend = m => chunks += m.Type == MessageType.InstallSnapshot && m.To == follower.Id ? 1 : 0;

        c.Heal();
        Assert.True(RunChecked(c, checker, () => follower.StateMachine.LastAppliedIndex == leader.StateMachine.LastAppliedIndex, MaxTicks), c.TraceTail());

        Assert.True(leader.Raft.Snapshot!.Data.Length > 2 * 64); // the snapshot really spans several chunks
        Assert.True(chunks > 1, $"only {chunks} InstallSnapshot messages");
        Assert.Equal(1, follower.Restores);
        Assert.True(follower.Raft.Log.SnapshotIndex >= leader.Raft.Snapshot.Index - 5);
        AssertSameState(leader, follower);
        Assert.True(checker.SnapshotsChecked > 0);
    }

    [Fact]
    public void Lost_duplicated_and_reordered_chunks_still_install_the_right_snapshot()
    {
        var c = Cluster(802, chunkBytes: 24);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        var chunks = 0;
        c.OnSend = m => chunks += m.Type == MessageType.InstallSnapshot && m.To == follower.Id ? 1 : 0;

        c.Heal();
        c.DropRate = 0.3;
        c.DuplicateRate = 0.3;
        c.Reorder = true;
        c.MaxDelayTicks = 2;
        Assert.True(RunChecked(c, checker, () => follower.Restores > 0, MaxTicks), c.TraceTail());
        c.DropRate = 0;
        c.DuplicateRate = 0;
        c.MaxDelayTicks = 0;
        Assert.True(RunChecked(c, checker, () => c.StableLeader() is { } l && c.Nodes.All(n => n.StateMachine.LastAppliedIndex == l.StateMachine.LastAppliedIndex), MaxTicks), c.TraceTail());

        Assert.True(chunks > 10, $"only {chunks} InstallSnapshot messages");
        foreach (var n in c.Nodes) AssertSameState(c.StableLeader()!, n);
    }

    /// <summary>
    /// Regression: a leader restarted the transfer from offset 0 whenever it compacted again, so under sustained writes a
    /// large snapshot never finished. Now it keeps sending the snapshot it started, and the follower continues from the
    /// entries the leader keeps below its newer snapshot.
    /// </summary>
    [Fact]
    public void A_leader_that_compacts_mid_transfer_finishes_the_snapshot_it_started()
    {
        var c = Cluster(803, chunkBytes: 32, catchUpEntries: 20);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        var sent = new List<(long Index, long Offset)>();
        c.OnSend = m =>
        {
            if (m.Type == MessageType.InstallSnapshot && m.To == follower.Id) sent.Add((m.Index, m.Offset));
        };
        bool WithFollower(RaftMessage m) => m.To == follower.Id || m.From == follower.Id;

        // Heal but move the transfer forward by hand, a few chunks only.
        c.ManualDelivery = true;
        c.DeliverAll(_ => true);
        c.Heal();
        Assert.True(RunManual(() => sent.Any(s => s.Offset > 0)), c.TraceTail());
        var first = leader.Raft.Snapshot!.Index;
        for (var i = 0; i < 2; i++) c.Deliver(WithFollower);
        checker.Check();
        Assert.True(sent.Count >= 2 && sent.All(s => s.Index == first));
        Assert.Equal(0, follower.Restores);

        // The majority commits more and the leader compacts again while the old transfer is half done.
        for (var i = 0; i < 10; i++) c.Propose(leader.Id, Commands.Set($"late{i}", "x", 500 + i));
        c.DeliverAll(m => !WithFollower(m));
        checker.Check();
        var second = leader.Raft.Snapshot!.Index;
        Assert.True(second > first, c.TraceTail());

        c.DeliverAll(_ => true);
        checker.Check();
        Assert.Equal(1, follower.Restores);

        c.ManualDelivery = false;
        Assert.True(RunChecked(c, checker, () => follower.StateMachine.LastAppliedIndex == leader.StateMachine.LastAppliedIndex, MaxTicks), c.TraceTail());
        AssertSameState(leader, follower);
        Assert.All(sent, s => Assert.Equal(first, s.Index));
        Assert.Equal(1, follower.Restores);

        bool RunManual(Func<bool> condition)
        {
            for (var t = 0; t < 20 && !condition(); t++)
            {
                c.Tick();
                c.Deliver(WithFollower);
            }
            return condition();
        }
    }

    [Fact]
    public void A_node_restarts_from_its_snapshot_and_the_log_after_it()
    {
        var c = Cluster(804, snapshotEvery: 10);
        var checker = new SafetyChecker(c);
        var leader = ElectLeader(c, checker);
        ProposeCommitted(c, checker, leader.Id, 14, 0);
        c.RunTicks(2);
        var node = c.Nodes.First(n => n != leader);
        Assert.NotNull(node.Store.Snapshot);
        Assert.NotEmpty(node.Store.Entries);
        var snapshotIndex = node.Store.SnapshotIndex;
        var applied = node.StateMachine.LastAppliedIndex;
        Assert.True(applied > snapshotIndex);

        c.Crash(node.Id);
        c.Restart(node.Id);
        checker.Check();

        // The snapshot restores the state machine, then the durable commitIndex re-applies the log after it.
        Assert.Equal(snapshotIndex, node.Raft.Log.SnapshotIndex);
        Assert.Equal(snapshotIndex, node.Raft.Snapshot!.Index);
        Assert.Equal(applied, node.StateMachine.LastAppliedIndex);
        Assert.Equal(snapshotIndex + 1, node.Applied[0].Index);
        Assert.Equal(0, node.Restores);
        ProposeCommitted(c, checker, leader.Id, 5, 100);
        Assert.True(RunChecked(c, checker, () => node.StateMachine.LastAppliedIndex == leader.StateMachine.LastAppliedIndex, MaxTicks), c.TraceTail());
        AssertSameState(leader, node);
    }

    [Fact]
    public void A_restarted_leader_sends_its_stored_snapshot_to_a_follower_that_needs_it()
    {
        var c = Cluster(805);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        foreach (var n in c.Nodes.Where(n => n != follower)) c.Crash(n.Id);
        foreach (var n in c.Nodes.Where(n => n != follower)) c.Restart(n.Id);
        c.Heal();

        Assert.True(RunChecked(c, checker, () => c.StableLeader() is { } l && follower.StateMachine.LastAppliedIndex >= l.Raft.Log.SnapshotIndex && l.Raft.Log.SnapshotIndex > 0, MaxTicks), c.TraceTail());
        Assert.Equal(1, follower.Restores);
    }

    /// <summary>
    /// Regression: the leader re-sent a chunk on every heartbeat, each starting another full stream of chunks, so with
    /// a round trip longer than a heartbeat this 67-chunk snapshot took 860 chunks at a 2-tick delay and 1,576 at 4
    /// (now about 2 and 3 times the chunks: a stall is still resent before a slow round trip completes).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_slow_network_does_not_multiply_the_snapshot_chunks(int delay)
    {
        var c = Cluster(801, chunkBytes: 16);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        var chunks = 0;
        c.OnSend = m => chunks += m.Type == MessageType.InstallSnapshot && m.To == follower.Id ? 1 : 0;

        c.MaxDelayTicks = delay;
        c.Heal();
        Assert.True(RunChecked(c, checker, () => follower.Restores > 0, MaxTicks), c.TraceTail());

        var needed = (leader.Raft.Snapshot!.Data.Length + 15) / 16;
        Assert.True(chunks <= 3 * needed, $"sent {chunks} chunks for a snapshot of {needed}");
        Assert.True(RunChecked(c, checker, () => follower.StateMachine.LastAppliedIndex == leader.StateMachine.LastAppliedIndex, MaxTicks), c.TraceTail());
        AssertSameState(leader, follower);
    }

    /// <summary>
    /// Regression: every duplicated chunk or ack started another stream of chunks, so with duplication and no loss the
    /// streams multiplied without bound (at a 10% duplicate rate the transfer of 59 chunks never finished).
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void Duplicated_chunks_and_acks_do_not_multiply_the_transfer(double duplicateRate)
    {
        var c = Cluster(801, chunkBytes: 16);
        var checker = new SafetyChecker(c);
        var (leader, follower) = CompactPastAFollower(c, checker);
        var chunks = 0;
        c.OnSend = m => chunks += m.Type == MessageType.InstallSnapshot && m.To == follower.Id ? 1 : 0;
        var needed = (leader.Raft.Snapshot!.Data.Length + 15) / 16;
        // Stop delivering once it runs away: a storm would never let a tick end.
        c.DropFilter = m => chunks > 20 * needed && m.Type is MessageType.InstallSnapshot or MessageType.InstallSnapshotResponse;

        c.DuplicateRate = duplicateRate;
        c.Heal();
        Assert.True(RunChecked(c, checker, () => follower.Restores > 0, MaxTicks), c.TraceTail());

        Assert.True(chunks <= 2 * needed, $"sent {chunks} chunks for a snapshot of {needed}");
        c.DuplicateRate = 0;
        Assert.True(RunChecked(c, checker, () => follower.StateMachine.LastAppliedIndex == leader.StateMachine.LastAppliedIndex, MaxTicks), c.TraceTail());
        AssertSameState(leader, follower);
    }

    /// <summary>A chunk from n1; checksum is the whole snapshot's (by default: data is the whole snapshot).</summary>
    private static RaftMessage Chunk(long term, long index, long logTerm, byte[] data, long offset = 0, bool done = true, long? checksum = null) => new()
    {
        Type = MessageType.InstallSnapshot,
        From = "n1",
        To = "n2",
        Term = term,
        Index = index,
        LogTerm = logTerm,
        Offset = offset,
        Data = data,
        Done = done,
        Checksum = checksum ?? SnapshotChecksum.Compute(data),
    };

    [Fact]
    public void A_follower_whose_log_continues_the_snapshot_only_commits_up_to_it()
    {
        var node = Raw.Node("n2", term: 1, logTerms: [1, 1, 1, 1, 1]);

        var checksum = SnapshotChecksum.Compute([1, 2, 3]);
        node.Step(Chunk(1, 3, 1, [1, 2], done: false, checksum: checksum));
        node.Step(Chunk(1, 3, 1, [3], offset: 2, checksum: checksum));

        var rd = node.GetReady();
        Assert.Null(rd.Snapshot); // no state-machine restore
        Assert.Equal(3, node.CommitIndex);
        Assert.Equal(5, node.Log.LastIndex);
        Assert.Equal(0, node.Log.SnapshotIndex);
        Assert.Equal([1L, 2L, 3L], rd.CommittedEntries.Select(e => e.Index));
        var done = Assert.Single(rd.Messages, m => m.Type == MessageType.InstallSnapshotResponse && m.Done);
        Assert.Equal(3, done.Index);
        node.Advance(rd);
        Assert.Equal(3, node.LastApplied);
    }

    [Fact]
    public void A_snapshot_the_log_does_not_continue_replaces_the_whole_log()
    {
        // Entries 3..6 of term 2 were never committed; the leader of term 3 has a snapshot up to 4 of term 3.
        var node = Raw.Node("n2", term: 2, logTerms: [1, 1, 2, 2, 2, 2], commit: 2);

        node.Step(Chunk(3, 4, 3, [7, 7, 7]));

        Assert.Equal(4, node.Log.SnapshotIndex);
        Assert.Equal(4, node.Log.LastIndex); // entries 5 and 6 went too (Figure 13, step 7)
        Assert.Equal(4, node.CommitIndex);
        var rd = node.GetReady();
        Assert.Equal(new SnapshotData(4, 3, [7, 7, 7]), rd.Snapshot, SnapshotComparer.Instance);
        Assert.Empty(rd.Entries);
        Assert.Empty(rd.CommittedEntries);
        node.Advance(rd);
        Assert.Equal(4, node.LastApplied);

        // The same through the store: the stored log does not continue the snapshot, so all of it goes.
        var store = new SimulatedStore();
        store.Persist(new Ready { Entries = [.. Enumerable.Range(1, 6).Select(i => Raw.Entry(i, i <= 2 ? 1 : 2))] });
        store.Persist(rd);
        Assert.Empty(store.Entries);
        Assert.Equal(4, store.SnapshotIndex);
        Assert.Equal(4, store.LoadLog().LastIndex);
    }

    [Fact]
    public void The_store_keeps_the_entries_after_a_snapshot_its_log_continues()
    {
        var store = new SimulatedStore();
        store.Persist(new Ready { Entries = [.. Enumerable.Range(1, 6).Select(i => Raw.Entry(i, 1))] });

        store.SaveSnapshot(new SnapshotData(4, 1, [1]));
        store.SaveSnapshot(new SnapshotData(3, 1, [2])); // older: ignored

        Assert.Equal([5L, 6L], store.Entries.Select(e => e.Index));
        Assert.Equal(4, store.Snapshot!.Index);
        var log = store.LoadLog();
        Assert.Equal((4L, 1L, 6L), (log.SnapshotIndex, log.SnapshotTerm, log.LastIndex));
        Assert.Throws<InvalidOperationException>(() => store.Persist(new Ready { Entries = [Raw.Entry(4, 2)] }));
    }

    private sealed class SnapshotComparer : IEqualityComparer<SnapshotData?>
    {
        public static readonly SnapshotComparer Instance = new();

        public bool Equals(SnapshotData? x, SnapshotData? y) =>
            x is not null && y is not null && x.Index == y.Index && x.Term == y.Term && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode(SnapshotData? obj) => obj?.Index.GetHashCode() ?? 0;
    }
}
