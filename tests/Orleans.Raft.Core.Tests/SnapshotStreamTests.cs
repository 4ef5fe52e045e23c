using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

/// <summary>A snapshot stream belongs to one leader and term and is checksummed; catch-up by snapshot under sustained writes.</summary>
public sealed class SnapshotStreamTests
{
    private const long SnapshotIndex = 10;
    private const long SnapshotTerm = 4;

    // Two leaders' snapshots at the same (index, term) with different bytes: the same state, encoded in another order.
    private static readonly byte[] X = [.. "b=2;c=3;a=1;"u8];
    private static readonly byte[] Y = [.. "a=1;b=2;c=3;"u8];

    private static RaftMessage Chunk(string from, long term, byte[] snapshot, int offset, int length, long? checksum = null) => new()
    {
        Type = MessageType.InstallSnapshot,
        From = from,
        To = "n3",
        Term = term,
        Index = SnapshotIndex,
        LogTerm = SnapshotTerm,
        Offset = offset,
        Data = snapshot[offset..Math.Min(offset + length, snapshot.Length)],
        Done = offset + length >= snapshot.Length,
        Checksum = checksum ?? SnapshotChecksum.Compute(snapshot),
    };

    private static RaftNode Follower() => Raw.Node("n3", term: 5, logTerms: [1, 1]);

    /// <summary>Steps the message, persists nothing; returns the Ready (its snapshot, if any) and the follower's replies.</summary>
    private static (SnapshotData? Snapshot, List<RaftMessage> Replies) StepAndDrain(RaftNode node, RaftMessage m)
    {
        node.Step(m);
        SnapshotData? snapshot = null;
        var replies = new List<RaftMessage>();
        while (node.HasReady)
        {
            var rd = node.GetReady();
            snapshot ??= rd.Snapshot;
            replies.AddRange(rd.LeaderMessages);
            replies.AddRange(rd.Messages);
            node.Advance(rd);
        }
        return (snapshot, replies);
    }

    /// <summary>
    /// Regression: the partial snapshot was keyed by (index, term) only, so the follower acked the first leader's
    /// bytes to the second, which continued from there: it installed X[0..8) + Y[8..], a state neither leader had.
    /// </summary>
    [Fact]
    public void A_follower_never_splices_two_leaders_snapshots_with_the_same_index_and_term()
    {
        const int chunk = 4;
        var node = Follower();

        // Leader n1 of term 5 streams X; the follower buffers 8 bytes, then n1 dies.
        StepAndDrain(node, Chunk("n1", 5, X, 0, chunk));
        StepAndDrain(node, Chunk("n1", 5, X, chunk, chunk));

        // n2 wins term 6 and streams Y from 0; it goes on from whatever offset the follower acks, as a leader does.
        SnapshotData? installed = null;
        var offset = 0;
        for (var round = 0; round < 10 && installed is null; round++)
        {
            var (snapshot, replies) = StepAndDrain(node, Chunk("n2", 6, Y, offset, chunk));
            installed = snapshot;
            var ack = Assert.Single(replies, r => r.Type == MessageType.InstallSnapshotResponse);
            offset = (int)ack.Offset;
        }

        Assert.NotNull(installed);
        Assert.Equal(System.Text.Encoding.ASCII.GetString(Y), System.Text.Encoding.ASCII.GetString(installed.Data));
        Assert.True(installed.IsIntact);
    }

    [Fact]
    public void A_chunk_from_another_leader_past_offset_0_does_not_continue_the_stream()
    {
        var node = Follower();
        StepAndDrain(node, Chunk("n1", 5, X, 0, 4));

        // n2 (term 6) sends its second chunk before its first: it must start over, not continue n1's bytes.
        var (snapshot, replies) = StepAndDrain(node, Chunk("n2", 6, Y, 4, 100));

        Assert.Null(snapshot);
        var reply = Assert.Single(replies);
        Assert.True(reply.Reject);
        Assert.Equal(0, reply.Offset);
    }

    [Fact]
    public void A_snapshot_that_fails_its_checksum_is_never_persisted_and_is_sent_again()
    {
        var node = Follower();
        var corrupt = (byte[])Y.Clone();
        corrupt[5] ^= 0x40;

        StepAndDrain(node, Chunk("n1", 5, corrupt, 0, 4, SnapshotChecksum.Compute(Y)));
        var (snapshot, replies) = StepAndDrain(node, Chunk("n1", 5, corrupt, 4, 100, SnapshotChecksum.Compute(Y)));

        Assert.Null(snapshot); // nothing for the shell to persist or restore
        Assert.Equal(2, node.Log.LastIndex); // the log is untouched
        Assert.Equal(0, node.CommitIndex);
        var reply = Assert.Single(replies);
        Assert.True(reply.Reject);
        Assert.Equal(0, reply.Offset); // the leader starts over

        // The good bytes, sent again, install.
        StepAndDrain(node, Chunk("n1", 5, Y, 0, 4));
        (snapshot, _) = StepAndDrain(node, Chunk("n1", 5, Y, 4, 100));
        Assert.NotNull(snapshot);
        Assert.Equal(Y, snapshot.Data);
        Assert.Equal(SnapshotIndex, node.CommitIndex);
    }

    [Fact]
    public void A_stored_snapshot_that_fails_its_checksum_is_refused_on_restart()
    {
        var store = new SimulatedStore();
        store.SaveSnapshot(new SnapshotData(3, 1, [1, 2, 3], SnapshotChecksum.Compute([1, 2, 4])));
        Assert.Throws<InvalidOperationException>(() => store.LoadSnapshot());
    }

    [Fact]
    public void A_log_compacted_with_a_trailing_window_still_holds_the_entries_below_its_snapshot()
    {
        var log = Raw.LogWithTerms(1, 1, 2, 2, 2, 3);
        log.CompactTo(5, keep: 2);
        Assert.Equal((4L, 5L, 2L, 6L), (log.FirstIndex, log.SnapshotIndex, log.SnapshotTerm, log.LastIndex));
        Assert.Equal(2, log.TermAt(4));
        Assert.Null(log.TermAt(3)); // dropped
        Assert.Equal([4L, 5L, 6L], log.Slice(1, 6).Select(e => e.Index));
        Assert.Throws<RaftInvariantException>(() => log.TruncateFrom(5)); // the snapshot's entries are committed

        // Loaded from a store: entries below the snapshot are kept only when they reach it with its term.
        var entries = new[] { Raw.Entry(3, 2), Raw.Entry(4, 2), Raw.Entry(5, 2), Raw.Entry(6, 3) };
        Assert.Equal(3, new RaftLog(entries, 5, 2).FirstIndex);
        Assert.Equal(6, new RaftLog(entries, 5, 3).FirstIndex);
        Assert.Equal(6, new RaftLog(entries, 5, 3).LastIndex);
    }

    [Fact]
    public void The_log_keeps_a_trailing_window_below_the_snapshot_and_a_restart_loads_it()
    {
        var c = new SimulatedCluster(3, 812, cfg => cfg with { SnapshotCatchUpEntries = 4 }) { SnapshotEvery = 10 };
        var checker = new SafetyChecker(c);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, 300), c.TraceTail());
        var leader = c.StableLeader()!;
        for (var i = 0; i < 25; i++)
        {
            c.Propose(leader.Id, Commands.Set($"k{i}", "v", i));
            c.Tick();
            checker.Check();
        }

        var node = c.Nodes.First(n => n != leader);
        var snapshotIndex = node.Raft.Log.SnapshotIndex;
        Assert.True(snapshotIndex > 0);
        Assert.Equal(snapshotIndex - 3, node.Raft.Log.FirstIndex);
        Assert.Equal(snapshotIndex - 3, node.Store.FirstIndex);

        c.Crash(node.Id);
        c.Restart(node.Id);
        checker.Check();
        Assert.Equal(snapshotIndex, node.Raft.Log.SnapshotIndex);
        Assert.Equal(snapshotIndex - 3, node.Raft.Log.FirstIndex);
        Assert.Equal(snapshotIndex + 1, node.Applied[0].Index); // the window is not applied again
    }

    /// <summary>
    /// Regression: one chunk per round trip, and every new leader snapshot (every SnapshotEvery entries) restarted the
    /// transfer from offset 0, so under sustained writes a follower that needed a large snapshot never caught up.
    /// </summary>
    [Fact]
    public void A_follower_needing_a_large_snapshot_catches_up_while_writes_run_flat_out()
    {
        const int keys = 150;
        // Snapshots of the keys alone (no watch history), so their size is the state's, as when this was measured.
        var c = new SimulatedCluster(3, 811, cfg => cfg with { SnapshotChunkBytes = 64, SnapshotCatchUpEntries = 300 },
            newStateMachine: () => new KeyValueStateMachine(snapshotHistoryEvents: 0))
        { SnapshotEvery = 10 };
        var checker = new SafetyChecker(c);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, 300), c.TraceTail());
        var leader = c.StableLeader()!;
        var follower = c.Nodes.First(n => n != leader);
        c.Isolate(follower.Id);
        var request = 0;
        void Write()
        {
            var n = request++;
            Assert.True(c.Propose(leader.Id, Commands.Set($"key{n % keys}", $"value-{n % keys}-padding-to-make-the-state-large", n % keys)).Accepted);
        }

        // Far behind: past the log the leader keeps, so only a snapshot (of many chunks) brings it back.
        for (var t = 0; t < 200; t++)
        {
            Write();
            Write();
            c.Tick();
        }
        checker.Check();
        Assert.True(leader.Raft.Log.FirstIndex > follower.Raft.Log.LastIndex + 1, c.TraceTail());
        var chunks = (leader.Raft.Snapshot!.Data.Length + 63) / 64;
        Assert.True(chunks >= 50, $"the snapshot has only {chunks} chunks");

        // Heal and keep writing two commands a tick, every message taking one tick (a round trip: two).
        c.Heal();
        c.ManualDelivery = true;
        var caughtUp = false;
        for (var t = 0; t < 3000 && !caughtUp; t++)
        {
            Write();
            Write();
            c.Tick();
            c.Deliver(_ => true);
            checker.Check();
            caughtUp = follower.Restores > 0 && follower.StateMachine.LastAppliedIndex >= leader.Raft.CommitIndex - 20;
        }

        Assert.True(caughtUp, $"the follower applied {follower.StateMachine.LastAppliedIndex} of {leader.Raft.CommitIndex} ({follower.Restores} snapshots installed)");
        Assert.Equal(1, follower.Restores); // after the snapshot it continued from the log
    }
}
