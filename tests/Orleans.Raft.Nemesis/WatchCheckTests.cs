using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>The watch check on hand-made histories and event lists, so a nemesis watch failure can be trusted.</summary>
public sealed class WatchCheckTests
{
    private static readonly Func<string, bool> Everything = _ => true;

    private static HistoryOp Set(int id, string key, string value, OpStatus status = OpStatus.Ok) =>
        new() { Id = id, Key = key, Kind = OpKind.Set, Value = value, Invoke = id * 10, Complete = id * 10 + 5, Status = status };

    private static HistoryOp Transfer(int id, string value, OpStatus status, bool succeeded = true) => new()
    {
        Id = id,
        Key = "a",
        Kind = OpKind.Transaction,
        Txn = new Transaction([TxnCondition.ValueIs("a", "x")], [TxnStep.Put("a", value), TxnStep.Put("b", value)], [TxnStep.Get("a")]),
        Outcome = status == OpStatus.Ok ? new TxnOutcome(succeeded, null) : null,
        Invoke = id * 10,
        Complete = id * 10 + 5,
        Status = status,
    };

    private static WatchCheck.Seen Put(string key, string value, long revision) => new(key, value, revision);

    [Fact]
    public void Every_acknowledged_change_once_in_order_passes()
    {
        var history = new[] { Set(1, "k", "v1"), Transfer(2, "t2", OpStatus.Ok), Set(3, "k", "v3") };
        Assert.Empty(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("a", "t2", 2), Put("b", "t2", 2), Put("k", "v3", 3)], Everything));
    }

    [Fact]
    public void A_missing_acknowledged_change_fails_and_names_the_write()
    {
        var history = new[] { Set(1, "k", "v1"), Transfer(2, "t2", OpStatus.Ok) };
        // The second put of the transaction is missing: half a transaction.
        var problem = Assert.Single(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("a", "t2", 2)], Everything));
        Assert.Contains("put b \"t2\" of acknowledged #2 never arrived", problem);
    }

    [Fact]
    public void A_change_seen_twice_or_out_of_order_fails()
    {
        var history = new[] { Set(1, "k", "v1"), Set(2, "k", "v2") };
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("k", "v2", 2), Put("k", "v2", 2)], Everything), p => p.Contains("a second change"));
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("k", "v2", 2), Put("k", "v2", 3)], Everything), p => p.Contains("more than once"));
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v2", 2), Put("k", "v1", 1)], Everything), p => p.Contains("out of order"));
    }

    [Fact]
    public void An_unknown_change_may_arrive_once_or_not_at_all()
    {
        var history = new[] { Set(1, "k", "v1"), Set(2, "k", "u2", OpStatus.Unknown), Transfer(3, "t3", OpStatus.Unknown) };
        Assert.Empty(WatchCheck.Problems(history, [Put("k", "v1", 1)], Everything));
        Assert.Empty(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("k", "u2", 2), Put("a", "t3", 3), Put("b", "t3", 3)], Everything));
        Assert.NotEmpty(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("k", "u2", 2), Put("k", "u2", 4)], Everything));
    }

    [Fact]
    public void A_change_no_write_may_have_made_fails()
    {
        // A failed write, and the puts of the branch a transaction did not take, changed nothing.
        var history = new[] { Set(1, "k", "v1"), Set(2, "k", "f2", OpStatus.Failed), Transfer(3, "t3", OpStatus.Ok, succeeded: false) };
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("k", "f2", 2)], Everything), p => p.Contains("no write that may have taken effect"));
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v1", 1), Put("a", "t3", 2)], Everything), p => p.Contains("no write that may have taken effect"));
        Assert.Contains(WatchCheck.Problems(history, [Put("k", "v1", 1), new WatchCheck.Seen("k", null, 2)], Everything), p => p.Contains("no delete"));
    }

    [Fact]
    public void Only_the_watched_range_counts()
    {
        var history = new[] { Set(1, "k1", "v1"), Set(2, "other", "v2") };
        Func<string, bool> prefixK = key => key.StartsWith('k');
        Assert.Empty(WatchCheck.Problems(history, [Put("k1", "v1", 1)], prefixK));
        Assert.Contains(WatchCheck.Problems(history, [Put("k1", "v1", 1), Put("other", "v2", 2)], prefixK), p => p.Contains("outside the watched range"));
        Assert.True(WatchCheck.CaughtUp(history, [Put("k1", "v1", 1)], prefixK));
        Assert.False(WatchCheck.CaughtUp(history, [], prefixK));
    }
}
