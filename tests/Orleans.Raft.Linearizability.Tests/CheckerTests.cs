using Xunit.Abstractions;

namespace Orleans.Raft.Linearizability.Tests;

public sealed class CheckerTests(ITestOutputHelper output)
{
    // A small builder: each call adds one operation on key "x" unless told otherwise; times are plain numbers.
    private sealed class History
    {
        private readonly List<HistoryOp> _ops = [];

        public IReadOnlyList<HistoryOp> Ops => _ops;

        private History Add(OpKind kind, long invoke, long complete, OpStatus status, string? value = null, string? expected = null, string? output = null, int client = 0, string key = "x")
        {
            _ops.Add(new HistoryOp
            {
                Id = _ops.Count + 1,
                Client = client,
                Key = key,
                Kind = kind,
                Value = value,
                Expected = expected,
                Invoke = invoke,
                Complete = complete,
                Status = status,
                Output = output,
            });
            return this;
        }

        public History Set(long invoke, long complete, string value, int client = 0, string key = "x") =>
            Add(OpKind.Set, invoke, complete, OpStatus.Ok, value, client: client, key: key);

        public History SetUnknown(long invoke, string value, int client = 0, string key = "x") =>
            Add(OpKind.Set, invoke, 0, OpStatus.Unknown, value, client: client, key: key);

        public History SetFailed(long invoke, long complete, string value, int client = 0) =>
            Add(OpKind.Set, invoke, complete, OpStatus.Failed, value, client: client);

        public History Get(long invoke, long complete, string? read, int client = 0, string key = "x") =>
            Add(OpKind.Get, invoke, complete, read is null ? OpStatus.NotFound : OpStatus.Ok, output: read, client: client, key: key);

        public History Delete(long invoke, long complete, bool existed, int client = 0) =>
            Add(OpKind.Delete, invoke, complete, existed ? OpStatus.Ok : OpStatus.NotFound, client: client);

        public History DeleteUnknown(long invoke, int client = 0) =>
            Add(OpKind.Delete, invoke, 0, OpStatus.Unknown, client: client);

        public History Cas(long invoke, long complete, string? expected, string value, int client = 0) =>
            Add(OpKind.CompareAndSet, invoke, complete, OpStatus.Ok, value, expected, client: client);

        public History CasFailed(long invoke, long complete, string? expected, string value, string? found, int client = 0) =>
            Add(OpKind.CompareAndSet, invoke, complete, OpStatus.CompareFailed, value, expected, found, client);

        public History CasUnknown(long invoke, string? expected, string value, int client = 0) =>
            Add(OpKind.CompareAndSet, invoke, 0, OpStatus.Unknown, value, expected, client: client);

        public CheckResult Check() => LinearizabilityChecker.Check(_ops);
    }

    private void Linearizable(History h)
    {
        var result = h.Check();
        Assert.True(result.IsLinearizable, result.Report());
    }

    private KeyResult NotLinearizable(History h)
    {
        var result = h.Check();
        output.WriteLine(result.Report());
        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        return result.Keys.Single(k => k.Verdict == Verdict.NotLinearizable);
    }

    [Fact]
    public void Sequential_reads_of_the_latest_write_are_linearizable() =>
        Linearizable(new History().Get(0, 1, null).Set(2, 3, "a").Get(4, 5, "a").Set(6, 7, "b").Get(8, 9, "b"));

    [Fact]
    public void A_read_concurrent_with_a_write_may_see_either_value() =>
        Linearizable(new History().Set(0, 1, "a").Set(10, 20, "b").Get(11, 12, "a", client: 1).Get(13, 14, "b", client: 2).Get(21, 22, "b"));

    [Fact]
    public void A_stale_read_is_a_violation_and_the_window_shows_it()
    {
        var key = NotLinearizable(new History().Set(0, 10, "a").Set(20, 30, "b").Get(40, 50, "a", client: 1));
        Assert.Contains(key.Window, op => op is { Kind: OpKind.Get, Output: "a" });
        Assert.Contains(key.Window, op => op is { Kind: OpKind.Set, Value: "b" });
        Assert.Contains("#3", key.Explanation);
        Assert.Contains("NOT linearizable", key.Explanation);
    }

    [Fact]
    public void A_lost_acknowledged_write_is_a_violation() =>
        NotLinearizable(new History().Set(0, 10, "a").Get(20, 30, null, client: 1));

    [Fact]
    public void A_write_that_appears_and_then_vanishes_is_a_violation() =>
        NotLinearizable(new History().Set(0, 10, "a").Set(20, 100, "b").Get(30, 40, "b", client: 1).Get(50, 60, "a", client: 2));

    [Fact]
    public void Two_concurrent_writes_read_in_different_orders_by_two_readers_is_a_violation() =>
        NotLinearizable(new History()
            .Set(0, 100, "a", client: 0).Set(0, 100, "b", client: 1)
            .Get(10, 20, "a", client: 2).Get(30, 40, "b", client: 2)
            .Get(10, 20, "b", client: 3).Get(30, 40, "a", client: 3));

    [Fact]
    public void Two_concurrent_writes_read_in_the_same_order_by_two_readers_are_linearizable() =>
        Linearizable(new History()
            .Set(0, 100, "a", client: 0).Set(0, 100, "b", client: 1)
            .Get(10, 20, "a", client: 2).Get(30, 40, "b", client: 2)
            .Get(10, 20, "a", client: 3).Get(30, 40, "b", client: 3));

    [Fact]
    public void Compare_and_set_that_succeeds_on_the_expected_value_is_linearizable() =>
        Linearizable(new History().Set(0, 1, "a").Cas(2, 3, "a", "b").Get(4, 5, "b").Cas(6, 7, "b", "c").CasFailed(8, 9, "b", "d", "c").Get(10, 11, "c"));

    [Fact]
    public void Compare_and_set_on_an_absent_key_expects_null() =>
        Linearizable(new History().Cas(0, 1, null, "a").CasFailed(2, 3, null, "b", "a").Get(4, 5, "a"));

    [Fact]
    public void Two_compare_and_sets_from_the_same_value_cannot_both_succeed() =>
        NotLinearizable(new History().Set(0, 1, "a").Cas(2, 10, "a", "b", client: 1).Cas(2, 10, "a", "c", client: 2));

    [Fact]
    public void A_compare_and_set_that_succeeds_on_the_wrong_value_is_a_violation() =>
        NotLinearizable(new History().Set(0, 1, "a").Set(2, 3, "b").Cas(4, 5, "a", "c"));

    [Fact]
    public void A_compare_failed_must_report_the_value_it_found() =>
        NotLinearizable(new History().Set(0, 1, "a").CasFailed(2, 3, "z", "c", "b"));

    [Fact]
    public void A_compare_failed_when_the_value_matched_is_a_violation() =>
        NotLinearizable(new History().Set(0, 1, "a").CasFailed(2, 3, "a", "c", "a"));

    [Fact]
    public void Concurrent_compare_and_sets_may_take_effect_in_either_order() =>
        Linearizable(new History().Set(0, 1, "a").Cas(2, 10, "a", "b", client: 1).Cas(3, 9, "b", "c", client: 2).Get(11, 12, "c"));

    [Fact]
    public void An_unknown_write_that_took_effect_is_linearizable_even_long_after_its_timeout() =>
        Linearizable(new History().Set(0, 1, "a").SetUnknown(2, "b").Get(10, 11, "a").Get(100, 101, "b").Get(102, 103, "b"));

    [Fact]
    public void An_unknown_write_that_never_took_effect_is_linearizable() =>
        Linearizable(new History().Set(0, 1, "a").SetUnknown(2, "b").Get(10, 11, "a").Get(100, 101, "a"));

    [Fact]
    public void An_unknown_write_cannot_take_effect_before_it_was_invoked() =>
        NotLinearizable(new History().Set(0, 1, "a").Get(2, 3, "b").SetUnknown(4, "b"));

    [Fact]
    public void An_unknown_write_takes_effect_once_at_most() =>
        NotLinearizable(new History().SetUnknown(0, "b").Get(10, 11, "b").Set(12, 13, "a").Get(14, 15, "a").Get(16, 17, "b"));

    [Fact]
    public void An_unknown_compare_and_set_may_take_effect_when_its_expectation_holds() =>
        Linearizable(new History().Set(0, 1, "a").CasUnknown(2, "a", "b").Get(10, 11, "b"));

    [Fact]
    public void An_unknown_compare_and_set_cannot_write_when_its_expectation_never_held() =>
        NotLinearizable(new History().Set(0, 1, "a").CasUnknown(2, "z", "b").Get(10, 11, "b"));

    [Fact]
    public void A_chain_of_unknown_writes_may_explain_a_read()
    {
        // set b (unknown), then cas b -> c (unknown): a read of c needs both, in that order.
        Linearizable(new History().Set(0, 1, "a").SetUnknown(2, "b").CasUnknown(3, "b", "c").Get(10, 11, "c"));
        Linearizable(new History().Set(0, 1, "a").CasUnknown(2, "b", "c").SetUnknown(3, "b").Get(10, 11, "c"));
        // The compare-and-set was invoked after the read completed: it cannot explain it.
        NotLinearizable(new History().Set(0, 1, "a").SetUnknown(2, "b").Get(10, 11, "c").CasUnknown(12, "b", "c"));
    }

    [Fact]
    public void An_unknown_write_needed_twice_takes_effect_only_once() =>
        NotLinearizable(new History().Set(0, 1, "a").SetUnknown(2, "b").Get(10, 11, "b").Set(12, 13, "c").Get(14, 15, "b"));

    [Fact]
    public void A_failed_write_is_dropped_and_reading_its_value_is_a_violation()
    {
        Linearizable(new History().Set(0, 1, "a").SetFailed(2, 3, "b").Get(4, 5, "a"));
        NotLinearizable(new History().Set(0, 1, "a").SetFailed(2, 3, "b").Get(4, 5, "b"));
    }

    [Fact]
    public void Deletes_remove_the_value_and_report_whether_it_existed()
    {
        Linearizable(new History().Set(0, 1, "a").Delete(2, 3, existed: true).Get(4, 5, null).Delete(6, 7, existed: false).Cas(8, 9, null, "b"));
        NotLinearizable(new History().Set(0, 1, "a").Delete(2, 3, existed: true).Get(4, 5, "a"));
        NotLinearizable(new History().Set(0, 1, "a").Delete(2, 3, existed: false));
        NotLinearizable(new History().Delete(0, 1, existed: true));
    }

    [Fact]
    public void Two_concurrent_deletes_cannot_both_find_the_value() =>
        NotLinearizable(new History().Set(0, 1, "a").Delete(2, 10, existed: true, client: 1).Delete(3, 9, existed: true, client: 2));

    [Fact]
    public void An_unknown_delete_may_explain_a_later_not_found() =>
        Linearizable(new History().Set(0, 1, "a").DeleteUnknown(2).Get(10, 11, "a").Get(20, 21, null));

    [Fact]
    public void An_unobserved_unknown_write_can_make_a_delete_succeed() =>
        Linearizable(new History().SetUnknown(0, "a").Delete(10, 11, existed: true));

    [Fact]
    public void Keys_are_checked_independently_and_the_report_names_the_bad_one()
    {
        var result = new History()
            .Set(0, 1, "a", key: "good").Get(2, 3, "a", key: "good")
            .Set(0, 1, "a", key: "bad").Set(2, 3, "b", key: "bad").Get(4, 5, "a", key: "bad")
            .Check();
        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        Assert.Equal(Verdict.Linearizable, result.Keys.Single(k => k.Key == "good").Verdict);
        Assert.Contains("key bad", result.Report());
        Assert.DoesNotContain("key good", result.Report());
    }

    [Fact]
    public void The_window_of_a_violation_holds_the_operations_around_it_not_the_whole_history()
    {
        var h = new History();
        for (var i = 0; i < 200; i++) h.Set(i * 10, i * 10 + 5, $"v{i}").Get(i * 10 + 6, i * 10 + 8, $"v{i}", client: 1);
        h.Get(5000, 5001, "v100", client: 2);
        var key = NotLinearizable(h);
        Assert.InRange(key.Window.Count, 2, 8);
        Assert.Contains(key.Window, op => op.Output == "v100" && op.Client == 2);
    }

    [Fact]
    public void A_violation_among_many_observed_unknown_writes_is_found_quickly()
    {
        // Twenty writes time out and each is read once, so none can be pruned; then a read of a value already
        // overwritten by an acknowledged write.
        var h = new History();
        for (var i = 0; i < 20; i++) h.SetUnknown(i, $"u{i}", client: i);
        for (var i = 0; i < 20; i++) h.Get(100 + i * 10, 105 + i * 10, $"u{i}", client: 30);
        h.Set(400, 410, "last", client: 31).Get(420, 430, "u3", client: 32);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var key = NotLinearizable(h);
        Assert.Contains(key.Window, op => op.Output == "u3" && op.Client == 32);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public void A_search_over_its_budget_is_inconclusive_rather_than_wrong()
    {
        var h = new History();
        for (var i = 0; i < 12; i++) h.Set(0, 100, $"v{i}", client: i);
        h.Get(200, 210, "v0", client: 20).Get(220, 230, "v1", client: 20);
        var result = LinearizabilityChecker.Check(h.Ops, maxStatesPerKey: 50);
        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.Contains("inconclusive", result.Report());
    }

    [Fact]
    public void A_long_concurrent_history_with_many_timeouts_is_checked_quickly()
    {
        // Ten clients over one key; every fifth write times out and half of those take effect. A reference
        // sequential execution fixes what each operation observes, so the history is linearizable by construction.
        var random = new Random(7);
        var ops = new List<HistoryOp>();
        string? value = null;
        var clock = 0L;
        for (var n = 0; n < 3000; n++)
        {
            clock += random.Next(1, 4);
            var invoke = clock - random.Next(0, 20);
            var complete = clock + random.Next(0, 20);
            HistoryOp op;
            if (random.Next(3) == 0)
            {
                op = new HistoryOp { Id = n, Key = "k", Kind = OpKind.Get, Invoke = invoke, Complete = complete, Status = value is null ? OpStatus.NotFound : OpStatus.Ok, Output = value };
            }
            else
            {
                var v = $"v{n}";
                var timedOut = random.Next(5) == 0;
                if (!timedOut || random.Next(2) == 0) value = v;
                op = new HistoryOp { Id = n, Key = "k", Kind = OpKind.Set, Value = v, Invoke = invoke, Complete = complete, Status = timedOut ? OpStatus.Unknown : OpStatus.Ok };
            }
            ops.Add(op);
        }
        // Cheap means a small budget of search states, not a wall-clock limit: past the budget the verdict is Inconclusive.
        var result = LinearizabilityChecker.Check(ops, maxStatesPerKey: 1_000_000);
        Assert.True(result.IsLinearizable, result.Report());
    }
}
