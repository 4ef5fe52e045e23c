using Xunit.Abstractions;

namespace Orleans.Raft.Linearizability.Tests;

public sealed class TransactionCheckerTests(ITestOutputHelper output)
{
    // Builds histories over accounts "a" and "b"; times are plain numbers.
    private sealed class History
    {
        private readonly List<HistoryOp> _ops = [];

        public IReadOnlyList<HistoryOp> Ops => _ops;

        public History Txn(long invoke, long complete, Transaction txn, bool succeeded, string?[]? reads = null, long revision = 0, int client = 0) =>
            Add(invoke, complete, OpStatus.Ok, txn, new TxnOutcome(succeeded, reads ?? [.. (succeeded ? txn.Success : txn.Failure).Select(_ => (string?)null)]), revision, client);

        public History TxnUnknown(long invoke, Transaction txn, int client = 0) => Add(invoke, 0, OpStatus.Unknown, txn, null, 0, client);

        /// <summary>Puts both accounts at once, unconditionally.</summary>
        public History Init(long invoke, long complete, string a, string b, long revision = 0) =>
            Txn(invoke, complete, new Transaction([], [TxnStep.Put("a", a), TxnStep.Put("b", b)], []), succeeded: true, revision: revision);

        /// <summary>If a and b hold what the client last read, write both; else read both.</summary>
        public static Transaction Transfer(string fromA, string fromB, string toA, string toB) => new(
            [TxnCondition.ValueIs("a", fromA), TxnCondition.ValueIs("b", fromB)],
            [TxnStep.Put("a", toA), TxnStep.Put("b", toB)],
            [TxnStep.Get("a"), TxnStep.Get("b")]);

        public History ReadBoth(long invoke, long complete, string? a, string? b, int client = 0) =>
            Txn(invoke, complete, new Transaction([], [TxnStep.Get("a"), TxnStep.Get("b")], []), succeeded: true, [a, b], client: client);

        public History Set(long invoke, long complete, string key, string value, long revision = 0) =>
            Plain(new HistoryOp { Id = _ops.Count + 1, Key = key, Kind = OpKind.Set, Value = value, Invoke = invoke, Complete = complete, Status = OpStatus.Ok, Revision = revision });

        public History Get(long invoke, long complete, string key, string? read, int client = 0) =>
            Plain(new HistoryOp { Id = _ops.Count + 1, Client = client, Key = key, Kind = OpKind.Get, Invoke = invoke, Complete = complete, Status = read is null ? OpStatus.NotFound : OpStatus.Ok, Output = read });

        public CheckResult Check() => LinearizabilityChecker.Check(_ops);

        public History Plain(HistoryOp op)
        {
            _ops.Add(op);
            return this;
        }

        private History Add(long invoke, long complete, OpStatus status, Transaction txn, TxnOutcome? outcome, long revision, int client) => Plain(new HistoryOp
        {
            Id = _ops.Count + 1,
            Client = client,
            Key = txn.Keys.First(),
            Kind = OpKind.Transaction,
            Txn = txn,
            Outcome = outcome,
            Invoke = invoke,
            Complete = complete,
            Status = status,
            Revision = revision,
        });
    }

    private static void Linearizable(History h)
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
    public void A_transfer_then_a_read_of_both_accounts_is_linearizable() =>
        Linearizable(new History().Init(0, 1, "a0", "b0").Txn(2, 3, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true).ReadBoth(4, 5, "a1", "b1"));

    [Fact]
    public void A_read_of_both_concurrent_with_a_transfer_sees_all_of_it_or_none() =>
        Linearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(10, 20, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true)
            .ReadBoth(11, 19, "a0", "b0", client: 1).ReadBoth(12, 18, "a1", "b1", client: 2));

    [Fact]
    public void A_lost_transfer_is_a_violation()
    {
        var key = NotLinearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(2, 3, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true)
            .ReadBoth(10, 11, "a0", "b0", client: 1));
        Assert.Equal("a, b", key.Key);
        Assert.Contains(key.Window, op => op.Kind == OpKind.Transaction && op.Client == 1);
        Assert.Contains("NOT linearizable", key.Explanation);
    }

    [Fact]
    public void A_torn_read_of_two_keys_is_a_violation_even_concurrent_with_the_transfer() =>
        NotLinearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(10, 20, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true)
            .ReadBoth(11, 19, "a1", "b0", client: 1));

    [Fact]
    public void A_torn_read_by_two_plain_gets_is_no_violation_but_by_one_transaction_it_is()
    {
        // Two gets are two instants: the transfer may fall between them.
        Linearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(10, 20, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true)
            .Get(11, 12, "b", "b0", client: 1).Get(18, 19, "a", "a1", client: 1));
        // The other way round it is: b0 read after a1 means b was written back, which nothing did.
        NotLinearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(10, 20, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true)
            .Get(11, 12, "a", "a1", client: 1).Get(18, 19, "b", "b0", client: 1));
    }

    [Fact]
    public void A_transaction_whose_compare_saw_a_stale_value_is_a_violation()
    {
        // a moved on to a1 before the transfer began, yet its compare on a0 held.
        NotLinearizable(new History().Init(0, 1, "a0", "b0").Set(2, 3, "a", "a1")
            .Txn(10, 11, History.Transfer("a0", "b0", "a2", "b2"), succeeded: true));
        // And the same transfer failing, reading what is there, is fine.
        Linearizable(new History().Init(0, 1, "a0", "b0").Set(2, 3, "a", "a1")
            .Txn(10, 11, History.Transfer("a0", "b0", "a2", "b2"), succeeded: false, ["a1", "b0"]));
    }

    [Fact]
    public void A_transaction_that_failed_while_its_compares_held_is_a_violation() =>
        NotLinearizable(new History().Init(0, 1, "a0", "b0").Txn(2, 3, History.Transfer("a0", "b0", "a1", "b1"), succeeded: false, ["a0", "b0"]));

    [Fact]
    public void Two_transfers_from_the_same_balances_cannot_both_succeed() =>
        NotLinearizable(new History().Init(0, 1, "a0", "b0")
            .Txn(2, 10, History.Transfer("a0", "b0", "a1", "b1"), succeeded: true, client: 1)
            .Txn(2, 10, History.Transfer("a0", "b0", "a2", "b2"), succeeded: true, client: 2));

    [Fact]
    public void An_unknown_transfer_takes_effect_whole_or_not_at_all()
    {
        Linearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("a0", "b0", "a1", "b1")).ReadBoth(10, 11, "a1", "b1"));
        Linearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("a0", "b0", "a1", "b1")).ReadBoth(10, 11, "a0", "b0"));
        NotLinearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("a0", "b0", "a1", "b1"))
            .Get(10, 11, "a", "a1").Get(12, 13, "b", "b0"));
    }

    [Fact]
    public void An_unknown_transfer_whose_compare_never_held_writes_nothing() =>
        NotLinearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("zz", "b0", "a1", "b1")).ReadBoth(10, 11, "a1", "b1"));

    [Fact]
    public void An_unknown_transfer_placed_for_one_read_must_suit_every_later_one()
    {
        // The read of a1 needs the unknown transfer, and it must come before the write of b2, which the read of a1
        // follows: so b then holds b2, never b1.
        Linearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("a0", "b0", "a1", "b1"))
            .Set(10, 11, "b", "b2").Get(20, 21, "a", "a1").Get(22, 23, "b", "b2"));
        NotLinearizable(new History().Init(0, 1, "a0", "b0").TxnUnknown(2, History.Transfer("a0", "b0", "a1", "b1"))
            .Set(10, 11, "b", "b2").Get(20, 21, "a", "a1").Get(22, 23, "b", "b1"));
    }

    [Fact]
    public void Version_compares_count_writes_since_creation()
    {
        var putA = new Transaction([TxnCondition.VersionIs("a", 2)], [TxnStep.Put("a", "a9")], []);
        Linearizable(new History().Set(0, 1, "a", "a0").Set(2, 3, "a", "a1").Txn(4, 5, putA, succeeded: true).Get(6, 7, "a", "a9"));
        NotLinearizable(new History().Set(0, 1, "a", "a0").Txn(4, 5, putA, succeeded: true));
        // A delete resets the version: the key is created anew.
        var created = new Transaction([TxnCondition.VersionIs("a", 0)], [TxnStep.Put("a", "a2")], []);
        Linearizable(new History().Set(0, 1, "a", "a0").Txn(2, 3, new Transaction([], [TxnStep.Delete("a")], []), succeeded: true)
            .Txn(4, 5, created, succeeded: true).Get(6, 7, "a", "a2"));
    }

    [Fact]
    public void Mod_revision_compares_see_the_revision_of_the_last_write()
    {
        var ifAt5 = new Transaction([TxnCondition.ModRevisionIs("a", 5)], [TxnStep.Put("b", "b1")], [TxnStep.Get("a")]);
        Linearizable(new History().Set(0, 1, "a", "a0", revision: 5).Txn(2, 3, ifAt5, succeeded: true).Get(4, 5, "b", "b1"));
        // a was written again at revision 7 before the transaction: the compare must fail.
        NotLinearizable(new History().Set(0, 1, "a", "a0", revision: 5).Set(2, 3, "a", "a1", revision: 7).Txn(4, 5, ifAt5, succeeded: true));
        Linearizable(new History().Set(0, 1, "a", "a0", revision: 5).Set(2, 3, "a", "a1", revision: 7).Txn(4, 5, ifAt5, succeeded: false, ["a1"]));
    }

    [Fact]
    public void A_transaction_answered_without_its_reads_is_held_to_its_branch() =>
        NotLinearizable(new History().Init(0, 1, "a0", "b0").Set(2, 3, "a", "a1")
            .Plain(new HistoryOp
            {
                Id = 99,
                Key = "a",
                Kind = OpKind.Transaction,
                Txn = History.Transfer("a0", "b0", "a2", "b2"),
                Outcome = new TxnOutcome(Succeeded: true, Reads: null),
                Invoke = 10,
                Complete = 11,
                Status = OpStatus.Ok,
            }));

    [Fact]
    public void Keys_tied_by_transactions_are_checked_together_and_other_keys_alone()
    {
        var h = new History().Init(0, 1, "a0", "b0").ReadBoth(2, 3, "a0", "b0").Set(0, 1, "c", "c0").Set(2, 3, "c", "c1").Get(4, 5, "c", "c0");
        var result = h.Check();
        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        Assert.Equal(["a, b", "c"], result.Keys.Select(k => k.Key));
        Assert.Equal(Verdict.Linearizable, result.Keys[0].Verdict);
        Assert.Contains("key c", result.Report());
    }

    [Fact]
    public void Partitioning_joins_keys_through_chains_of_transactions()
    {
        HistoryOp Txn(int id, params string[] keys) => new()
        {
            Id = id,
            Key = keys[0],
            Kind = OpKind.Transaction,
            Txn = new Transaction([], [.. keys.Select(TxnStep.Get)], []),
            Outcome = new TxnOutcome(true, null),
            Invoke = id,
            Complete = id,
            Status = OpStatus.Ok,
        };
        var parts = LinearizabilityChecker.Partition([Txn(1, "a", "b"), Txn(2, "c", "d"), Txn(3, "b", "c"), Txn(4, "e"), Txn(5, "f", "g")]);
        Assert.Equal([["a", "b", "c", "d"], ["e"], ["f", "g"]], parts.Select(p => p.Keys.ToArray()));
        Assert.Equal(3, parts[0].Ops.Count);
    }
}
