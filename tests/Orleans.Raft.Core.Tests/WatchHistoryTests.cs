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
}
