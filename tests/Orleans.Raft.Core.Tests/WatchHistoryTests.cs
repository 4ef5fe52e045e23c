using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

public sealed class WatchHistoryTests
{
    private static Command Put(string key, string value) => new(CommandOperation.Set, key, value, null);

    [Fact]
    public void Large_values_shorten_the_history_by_whole_revisions_and_the_latest_is_always_kept()
    {
        // Room for about three 100 KB values.
        var sm = new KeyValueStateMachine(historyCapacity: 1000, historyBytes: 700_000);
        var big = new string('v', 100_000);
        for (var i = 1; i <= 10; i++) sm.Apply(i, Put($"k{i}", big));

        Assert.InRange(sm.History.Bytes, 1, 700_000);
        Assert.True(sm.History.TryRead(sm.History.CompactRevision + 1, out var kept));
        Assert.InRange(kept.Count, 2, 3);
        Assert.Equal(10, kept[^1].Revision);
        Assert.False(sm.History.TryRead(1, out _));

        // A transaction bigger than the whole bound stays, alone: a watcher at its revision still gets all of it.
        var huge = new TxnCommand([], [TxnOp.Put("a", new string('x', 400_000)), TxnOp.Put("b", new string('y', 400_000))], []);
        sm.Apply(11, Command.Transaction(huge));
        Assert.True(sm.History.TryRead(11, out var last));
        Assert.Equal(["a", "b"], last.Select(e => e.Entry.Key));
        Assert.Equal(10, sm.History.CompactRevision);
    }

    [Fact]
    public void The_count_bound_drops_a_transaction_whole_never_half_of_it()
    {
        var sm = new KeyValueStateMachine(historyCapacity: 3);
        sm.Apply(1, Command.Transaction(new TxnCommand([], [TxnOp.Put("a", "1"), TxnOp.Put("b", "1")], [])));
        sm.Apply(2, Put("c", "1"));
        sm.Apply(3, Put("d", "1"));
        // Four events over a bound of three: revision 1 goes with both its changes.
        Assert.Equal(1, sm.History.CompactRevision);
        Assert.True(sm.History.TryRead(2, out var kept));
        Assert.Equal(["c", "d"], kept.Select(e => e.Entry.Key));
    }

    // A read scanned the whole history each time a watcher woke: with a large history, watchers fell behind the writes.
    [Fact]
    public void Reads_from_any_revision_return_bounded_steps_of_whole_revisions_that_together_are_the_history_in_order()
    {
        var random = new Random(15);
        var sm = new KeyValueStateMachine(historyCapacity: 3000);
        var model = new List<(long Revision, string Key)>();
        for (var index = 1; index <= 5000; index++)
        {
            if (random.Next(10) == 0)
            {
                // A transaction of several puts: its events share a revision.
                var keys = Enumerable.Range(0, random.Next(2, 6)).Select(j => $"t{index}-{j}").ToArray();
                sm.Apply(index, Command.Transaction(new TxnCommand([], [.. keys.Select(k => TxnOp.Put(k, "v"))], [])));
                model.AddRange(keys.Select(k => (sm.Revision, k)));
            }
            else
            {
                var key = $"k{random.Next(100)}";
                sm.Apply(index, Put(key, $"{index}"));
                model.Add((sm.Revision, key));
            }
        }
        var kept = model.Where(m => m.Revision > sm.History.CompactRevision).ToList();
        Assert.InRange(kept.Count, 3000 - 5, 3000);

        // Step by step from the oldest kept revision: every kept event once, in order, no step splitting a revision.
        var read = new List<(long, string)>();
        var next = sm.History.CompactRevision + 1;
        while (sm.History.HasAfter(next - 1))
        {
            Assert.True(sm.History.TryRead(next, out var step));
            Assert.InRange(step.Count, 1, WatchHistory.MaxReadEvents + 5);
            Assert.False(sm.History.TryRead(step[^1].Revision, out var tail) && tail.Count > 0 && tail[0].Revision != step[^1].Revision);
            read.AddRange(step.Select(e => (e.Revision, e.Entry.Key)));
            next = step[^1].Revision + 1;
        }
        Assert.Equal(kept, read);

        // From any revision: what a plain filter of the kept events gives, up to the bound.
        for (var i = 0; i < 200; i++)
        {
            var from = random.NextInt64(sm.History.CompactRevision + 1, sm.Revision + 2);
            Assert.True(sm.History.TryRead(from, out var step));
            var expected = kept.Where(m => m.Revision >= from).Take(step.Count).ToList();
            Assert.Equal(expected, step.Select(e => (e.Revision, e.Entry.Key)));
            if (step.Count > 0) Assert.Equal(kept.First(m => m.Revision >= from).Revision, step[0].Revision);
            else Assert.DoesNotContain(kept, m => m.Revision >= from);
        }
    }

    private static List<ChangeEvent> ReadAll(KeyValueStateMachine sm, long from)
    {
        var read = new List<ChangeEvent>();
        for (var next = from; sm.History.HasAfter(next - 1); next = read[^1].Revision + 1)
        {
            Assert.True(sm.History.TryRead(next, out var step), $"revision {next} is compacted (oldest kept {sm.History.CompactRevision + 1})");
            read.AddRange(step);
        }
        return read;
    }

    private static void ApplyWrites(KeyValueStateMachine sm, Random random, int from, int to)
    {
        for (var index = from; index <= to; index++)
        {
            if (random.Next(10) == 0) sm.Apply(index, Command.Transaction(new TxnCommand([], [TxnOp.Put($"t{index}a", "v"), TxnOp.Put($"t{index}b", "v")], [])));
            else sm.Apply(index, Put($"k{random.Next(50)}", $"{index}"));
        }
    }

    // A snapshot carried only the newest 1,000 changes: once every replica had restarted or joined from one, a watcher
    // a little further behind was told Compacted, although each replica keeps far more (the 30-minute nemesis).
    [Fact]
    public void A_replica_restored_from_a_snapshot_keeps_the_whole_history_its_peers_keep()
    {
        var random = new Random(24);
        var running = new KeyValueStateMachine();
        ApplyWrites(running, random, 1, 5000);
        var restored = new KeyValueStateMachine();
        restored.Restore(running.TakeSnapshot());

        Assert.Equal(0, restored.History.CompactRevision);
        Assert.Equal(ReadAll(running, 1), ReadAll(restored, 1));

        // Both go on from there, and their next snapshots are the same bytes.
        var rest = new Random(25);
        ApplyWrites(running, rest, 5001, 6000);
        ApplyWrites(restored, new Random(25), 5001, 6000);
        Assert.Equal(running.TakeSnapshot(), restored.TakeSnapshot());
    }

    [Fact]
    public void A_snapshot_bounded_below_the_history_carries_its_newest_whole_revisions_within_both_bounds()
    {
        var random = new Random(7);
        var byEvents = new KeyValueStateMachine(snapshotHistoryEvents: 300);
        var byBytes = new KeyValueStateMachine(snapshotHistoryBytes: 64 * 1024);
        ApplyWrites(byEvents, random, 1, 3000);
        ApplyWrites(byBytes, new Random(7), 1, 3000);

        var fromEvents = new KeyValueStateMachine(snapshotHistoryEvents: 300);
        fromEvents.Restore(byEvents.TakeSnapshot());
        Assert.InRange(fromEvents.History.Count, 299, 300);
        Assert.Equal(ReadAll(byEvents, fromEvents.History.CompactRevision + 1), ReadAll(fromEvents, fromEvents.History.CompactRevision + 1));
        Assert.False(fromEvents.History.TryRead(fromEvents.History.CompactRevision, out _));

        var fromBytes = new KeyValueStateMachine(snapshotHistoryBytes: 64 * 1024);
        fromBytes.Restore(byBytes.TakeSnapshot());
        Assert.InRange(fromBytes.History.Bytes, 60 * 1024, 64 * 1024);
        Assert.Equal(ReadAll(byBytes, fromBytes.History.CompactRevision + 1), ReadAll(fromBytes, fromBytes.History.CompactRevision + 1));

        // No history at all when asked for none: a watcher is told to resume after the snapshot's revision.
        var none = new KeyValueStateMachine(snapshotHistoryEvents: 0);
        ApplyWrites(none, new Random(7), 1, 100);
        var fromNone = new KeyValueStateMachine();
        fromNone.Restore(none.TakeSnapshot());
        Assert.Equal((0, none.Revision), (fromNone.History.Count, fromNone.History.CompactRevision));
    }
}
