using Xunit.Abstractions;

namespace Orleans.Raft.Linearizability.Tests;

public sealed class QuiescentCheckerTests(ITestOutputHelper output)
{
    private static HistoryOp Op(int id, OpKind kind, long invoke, long complete, OpStatus status, string? value = null, string? output = null, string? expected = null, string key = "x") =>
        new() { Id = id, Client = id, Key = key, Kind = kind, Invoke = invoke, Complete = complete, Status = status, Value = value, Output = output, Expected = expected };

    private static HistoryOp Set(int id, long invoke, long complete, string value, OpStatus status = OpStatus.Ok) => Op(id, OpKind.Set, invoke, complete, status, value);

    private static HistoryOp Get(int id, long invoke, long complete, string? read) => Op(id, OpKind.Get, invoke, complete, read is null ? OpStatus.NotFound : OpStatus.Ok, output: read);

    private void Same(IReadOnlyList<HistoryOp> history, Verdict expected, int minPieces = 2)
    {
        var cut = QuiescentChecker.Check(history);
        output.WriteLine(cut.Report());
        Assert.Equal(expected, LinearizabilityChecker.Check(history).Verdict);
        Assert.Equal(expected, cut.Verdict);
        Assert.True(cut.Keys.Max(k => k.Pieces) >= minPieces, $"pieces: {cut.Keys.Max(k => k.Pieces)}");
    }

    [Fact]
    public void A_piece_that_may_end_in_either_of_two_states_lets_the_next_start_from_either() =>
        // Two concurrent writes end the first piece; the second reads the one that may have come last.
        Same([Set(1, 0, 10, "a"), Set(2, 0, 10, "b"), Get(3, 20, 30, "a"), Get(4, 40, 50, "a")], Verdict.Linearizable);

    [Fact]
    public void A_violation_that_spans_a_cut_is_found() =>
        // Either write may come last in the first piece, but the second sees both orders: a then b with no write between.
        Same([Set(1, 0, 10, "a"), Set(2, 0, 10, "b"), Get(3, 20, 30, "a"), Get(4, 40, 50, "b")], Verdict.NotLinearizable, minPieces: 3);

    [Fact]
    public void A_stale_read_after_a_cut_is_a_violation()
    {
        Same([Set(1, 0, 10, "a"), Set(2, 20, 30, "b"), Get(3, 40, 50, "a")], Verdict.NotLinearizable, minPieces: 3);
        var key = QuiescentChecker.Check([Set(1, 0, 10, "a"), Set(2, 20, 30, "b"), Get(3, 40, 50, "a")]).Keys.Single();
        Assert.Contains("NOT linearizable", key.Explanation);
        Assert.Contains("piece 3 of 3", key.Explanation);
    }

    [Fact]
    public void An_observed_unknown_write_takes_effect_before_its_first_reader_and_does_not_block_later_cuts()
    {
        HistoryOp[] history = [Set(1, 0, 0, "a", OpStatus.Unknown), Get(2, 10, 20, "a"), Set(3, 30, 40, "b"), Get(4, 50, 60, "b")];
        Same(history, Verdict.Linearizable, minPieces: 3);
        // Read after a later write, its value is stale: the unknown write could not have come after the reader's read.
        Same([.. history, Get(5, 70, 80, "a")], Verdict.NotLinearizable, minPieces: 4);
    }

    [Fact]
    public void An_unknown_write_of_a_value_two_writes_write_blocks_the_cuts_after_it()
    {
        // The unknown "a" may take effect after the acknowledged "a" and the "b": the last read is then fine.
        HistoryOp[] history = [Set(1, 0, 0, "a", OpStatus.Unknown), Set(2, 10, 20, "a"), Get(3, 30, 40, "a"), Set(4, 50, 60, "b"), Get(5, 70, 80, "a")];
        Assert.Equal(Verdict.Linearizable, LinearizabilityChecker.Check(history).Verdict);
        var cut = QuiescentChecker.Check(history);
        Assert.Equal(Verdict.Linearizable, cut.Verdict);
        Assert.Equal(1, cut.Keys.Single().Pieces);
    }

    [Fact]
    public void An_unknown_write_nobody_needed_is_dropped_but_one_an_unknown_compare_and_set_expects_is_kept()
    {
        // A failed compare expected "u": "u" was not the value then, so the unknown write of it cannot be needed later.
        HistoryOp[] history = [Set(1, 0, 0, "u", OpStatus.Unknown), Op(2, OpKind.CompareAndSet, 10, 20, OpStatus.CompareFailed, "w", output: "a", expected: "u"),
            Set(3, 5, 8, "a"), Set(4, 30, 40, "b"), Get(5, 50, 60, "b")];
        Same(history, Verdict.Linearizable, minPieces: 3);
        // With an unknown compare-and-set from "u" to "c" and a read of "c", the unknown write may be needed: no cut after it.
        HistoryOp[] needed = [.. history, Op(6, OpKind.CompareAndSet, 70, 0, OpStatus.Unknown, "c", expected: "u"), Get(7, 80, 90, "c")];
        var cut = QuiescentChecker.Check(needed);
        Assert.Equal(LinearizabilityChecker.Check(needed).Verdict, cut.Verdict);
        Assert.Equal(1, cut.Keys.Single().Pieces);
    }

    [Fact]
    public void A_piece_over_its_budget_is_inconclusive_never_a_pass()
    {
        // Ten concurrent writes and a read: more than a handful of states.
        var history = Enumerable.Range(1, 10).Select(i => Set(i, 0, 100, $"v{i}")).Append(Get(11, 200, 210, "v3")).ToList();
        var result = QuiescentChecker.Check(history, new CheckerOptions { MaxStatesPerPiece = 5 });
        output.WriteLine(result.Report());
        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.False(result.IsLinearizable);
        Assert.Contains("inconclusive", result.Keys.Single().Explanation);
        Assert.Equal(Verdict.Linearizable, QuiescentChecker.Check(history).Verdict);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(3)]
    public void The_cut_checker_agrees_with_the_whole_history_search_on_random_histories(int oneUnknownIn)
    {
        var verdicts = new Dictionary<Verdict, int>();
        var cutAcross = 0;
        for (var seed = 0; seed < 10_000; seed++)
        {
            var history = RandomHistory(new Random(seed), oneUnknownIn);
            var whole = LinearizabilityChecker.Check(history);
            var cut = QuiescentChecker.Check(history, new CheckerOptions { Parallelism = 1 });
            Assert.True(whole.Verdict == cut.Verdict,
                $"seed {seed}: whole {whole.Verdict}, cut {cut.Verdict}\n{string.Join("\n", history)}\n{whole.Report()}\n{cut.Report()}");
            verdicts[whole.Verdict] = verdicts.GetValueOrDefault(whole.Verdict) + 1;
            if (cut.Keys.Any(k => k.Pieces > 1)) cutAcross++;
        }
        output.WriteLine($"{string.Join(", ", verdicts)}; {cutAcross} histories cut");
        // The comparison means something only if both verdicts, and cuts, came up often.
        Assert.True(verdicts.GetValueOrDefault(Verdict.Linearizable) > 2000);
        Assert.True(verdicts.GetValueOrDefault(Verdict.NotLinearizable) > 2000);
        Assert.True(cutAcross > 3000);
    }

    /// <summary>
    /// Clients on a real register (each operation takes effect at a random point of its interval; a timed-out one at
    /// any later point, or never), then sometimes one read is made to lie. Values repeat now and then.
    /// </summary>
    internal static List<HistoryOp> RandomHistory(Random random, int oneUnknownIn = 10, int clients = 3, int perClient = 6, int keys = 2)
    {
        var ops = new List<(HistoryOp Op, long At, bool Effect)>();
        var id = 0;
        // Half the histories without deletes: a successful delete turns off the rule that drops unknown writes.
        var deletes = random.Next(2) == 0;
        for (var c = 0; c < clients; c++)
        {
            long t = random.Next(5);
            for (var n = 0; n < perClient; n++)
            {
                var invoke = t;
                var complete = invoke + random.Next(1, 8);
                var unknown = random.Next(oneUnknownIn) == 0;
                var at = unknown ? invoke + random.Next(0, 30) : random.NextInt64(invoke, complete + 1);
                var roll = random.Next(10);
                var kind = roll < 4 ? OpKind.Get : roll < 7 ? OpKind.Set : roll < 9 || !deletes ? OpKind.CompareAndSet : OpKind.Delete;
                var value = random.Next(4) == 0 ? $"r{random.Next(2)}" : $"v{id}";
                var op = new HistoryOp
                {
                    Id = ++id,
                    Client = c,
                    Key = $"k{random.Next(keys)}",
                    Kind = kind,
                    Invoke = invoke,
                    Complete = complete,
                    Status = unknown ? OpStatus.Unknown : OpStatus.Ok,
                    Value = kind is OpKind.Set or OpKind.CompareAndSet ? value : null,
                    // Mostly a recent value, so that compare-and-sets chain (also unknown ones on unknown writes).
                    Expected = kind == OpKind.CompareAndSet && random.Next(3) > 0 ? $"v{random.Next(Math.Max(1, id - 6), id)}" : null,
                };
                ops.Add((op, at, !unknown || random.Next(2) == 0));
                t = complete + random.Next(0, 6);
            }
        }
        var state = new Dictionary<string, string?>();
        var done = new List<HistoryOp>();
        foreach (var (op, _, effect) in ops.OrderBy(o => o.At).ThenBy(o => o.Op.Id))
        {
            var current = state.GetValueOrDefault(op.Key);
            if (op.Status == OpStatus.Unknown)
            {
                if (effect && op.Kind != OpKind.Get) RegisterModel.Step(current, op, out current);
                state[op.Key] = current;
                done.Add(op);
                continue;
            }
            var answered = op.Kind switch
            {
                OpKind.Get => op with { Status = current is null ? OpStatus.NotFound : OpStatus.Ok, Output = current },
                OpKind.Set => op,
                OpKind.Delete => op with { Status = current is null ? OpStatus.NotFound : OpStatus.Ok },
                _ => current == op.Expected ? op : op with { Status = OpStatus.CompareFailed, Output = current },
            };
            if (!RegisterModel.Step(current, answered, out var next)) throw new InvalidOperationException("the generator broke the model");
            state[op.Key] = next;
            done.Add(answered);
        }
        if (random.Next(2) == 0 && done.Where(op => op.Kind == OpKind.Get && op.Status != OpStatus.Unknown).ToList() is { Count: > 0 } gets)
        {
            var lie = gets[random.Next(gets.Count)];
            var read = random.Next(3) == 0 ? null : $"v{random.Next(1, id + 1)}";
            done[done.IndexOf(lie)] = lie with { Status = read is null ? OpStatus.NotFound : OpStatus.Ok, Output = read };
        }
        return [.. done.OrderBy(op => op.Id)];
    }
}
