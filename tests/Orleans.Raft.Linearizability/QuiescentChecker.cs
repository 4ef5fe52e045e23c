namespace Orleans.Raft.Linearizability;

/// <summary>
/// The checker for long histories. Each key's history is cut at quiescent points, moments with no operation in
/// flight: every operation before one completed before every operation after it was invoked, so every linearization
/// puts the first piece before the second, and the history is linearizable iff some state the first piece may end in
/// lets the second be linearized from it. The pieces are checked in order with the set of states each may end in
/// carried to the next; partitions are checked in parallel. An operation with an unknown outcome never completes, so
/// it blocks every cut after its invocation, except an unknown write that operations observed (see
/// <see cref="Settle"/>). Each piece has a budget of states; past it the verdict is Inconclusive, never a pass.
/// Keys that transactions tie together are checked whole, by <see cref="LinearizabilityChecker.CheckPartition"/>.
/// </summary>
public static class QuiescentChecker
{
    public static CheckResult Check(IEnumerable<HistoryOp> history, CheckerOptions? options = null)
    {
        options ??= new CheckerOptions();
        var partitions = LinearizabilityChecker.Partition([.. history]);
        var results = new KeyResult[partitions.Count];
        // The largest first, so that one long key does not start last and leave a core idle.
        var order = Enumerable.Range(0, partitions.Count).OrderByDescending(i => partitions[i].Ops.Count).ToArray();
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, i =>
        {
            var (keys, ops) = partitions[i];
            results[i] = keys.Count == 1 && !ops.Any(op => op.Kind == OpKind.Transaction)
                ? CheckKey(keys[0], ops, options)
                : LinearizabilityChecker.CheckPartition(keys, ops, options.Initial, options.MaxStatesPerPiece);
        });
        var verdict = results.Any(k => k.Verdict == Verdict.NotLinearizable) ? Verdict.NotLinearizable
            : results.Any(k => k.Verdict == Verdict.Inconclusive) ? Verdict.Inconclusive
            : Verdict.Linearizable;
        return new CheckResult(verdict, results);
    }

    /// <summary>One key, cut at its quiescent points.</summary>
    public static KeyResult CheckKey(string key, IReadOnlyList<HistoryOp> history, CheckerOptions? options = null)
    {
        options ??= new CheckerOptions();
        var ops = Settle(LinearizabilityChecker.Prune(history), options.Initial);
        var pieces = Cut(ops);
        var starts = new HashSet<string?>(StringComparer.Ordinal) { options.Initial };
        for (var p = 0; p < pieces.Count; p++)
        {
            var piece = pieces[p];
            string Where() => $"piece {p + 1} of {pieces.Count} (operations #{piece.Min(op => op.Id)}..#{piece.Max(op => op.Id)}, time {piece[0].Invoke}..{piece.Max(op => op.EffectiveComplete)})";
            if (p < pieces.Count - 1)
            {
                var finals = PieceSearch.FinalStates(piece, starts, options.MaxStatesPerPiece, out _);
                if (finals is null)
                {
                    return new KeyResult(key, Verdict.Inconclusive, ops.Length, [],
                        $"key {key}: inconclusive: {Where()} has more than {options.MaxStatesPerPiece:N0} states")
                    { Pieces = pieces.Count };
                }
                if (finals.Count > 0)
                {
                    starts = finals;
                    continue;
                }
            }
            // The last piece (or a stuck one): the register search from each state the key may be in.
            KeyResult? failure = null;
            var inconclusive = false;
            foreach (var start in starts)
            {
                var result = LinearizabilityChecker.SearchKey(key, piece, start, options.MaxStatesPerPiece);
                if (result.Verdict == Verdict.Linearizable)
                {
                    if (p == pieces.Count - 1) return new KeyResult(key, Verdict.Linearizable, ops.Length, [], null) { Pieces = pieces.Count };
                    // PieceSearch found no end state, the register search a linearization: a bug in one of them, so no verdict.
                    return new KeyResult(key, Verdict.Inconclusive, ops.Length, [], $"key {key}: inconclusive: in {Where()} the two searches disagree (a checker bug)")
                    {
                        Pieces = pieces.Count,
                    };
                }
                inconclusive |= result.Verdict == Verdict.Inconclusive;
                failure ??= result;
            }
            if (inconclusive)
            {
                return new KeyResult(key, Verdict.Inconclusive, ops.Length, [],
                    $"key {key}: inconclusive: {Where()} has more than {options.MaxStatesPerPiece:N0} states")
                { Pieces = pieces.Count };
            }
            var states = string.Join(", ", starts.Select(HistoryOp.Show));
            return failure! with
            {
                Operations = ops.Length,
                Explanation = $"{failure.Explanation}\n  (in {Where()}, which starts with the key at {states})",
                Pieces = pieces.Count,
            };
        }
        return new KeyResult(key, Verdict.Linearizable, ops.Length, [], null) { Pieces = pieces.Count };
    }

    /// <summary>
    /// Takes the unknown writes out of the way of the cuts, where that is sound:
    /// <list type="bullet">
    /// <item>An unknown write of a value that only it writes, which some definite operation required (a get read it, a
    /// compare-and-set expected it and wrote, or failed finding it), took effect, and before the first such operation
    /// completed: nothing else could have given the key that value. It becomes an acknowledged write that completed then
    /// (an unknown compare-and-set must have succeeded).</item>
    /// <item>When no delete succeeded, the unknown writes are dropped but those that are kept: those of a value a
    /// definite operation required, and, until nothing changes, those of a value that a kept unknown compare-and-set
    /// expects. In a linearization, while the key holds a value a dropped write wrote, only writes, dropped writes and
    /// unknown operations without effect can take effect (every definite read and compare needs some other value, and
    /// a failed compare the value it found), so without the dropped writes it is still one. (Prune's rule, with "seen"
    /// narrowed to "required": a compare that failed expecting the value does not keep the write.)</item>
    /// </list>
    /// </summary>
    internal static HistoryOp[] Settle(HistoryOp[] ops, string? initial)
    {
        var producers = ops.Where(op => op.Kind is OpKind.Set or OpKind.CompareAndSet && op.Value is not null)
            .CountBy(op => op.Value!, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var required = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            var value = (op.Kind, op.Status) switch
            {
                (OpKind.Get, OpStatus.Ok) => op.Output,
                (OpKind.CompareAndSet, OpStatus.Ok) => op.Expected,
                (OpKind.CompareAndSet, OpStatus.CompareFailed) => op.Output,
                _ => null,
            };
            if (value is not null) required[value] = Math.Min(required.GetValueOrDefault(value, long.MaxValue), op.Complete);
        }
        var anyDelete = ops.Any(op => op is { Kind: OpKind.Delete, Status: OpStatus.Ok });
        // The values whose unknown writes are kept: the required ones, then what kept unknown compare-and-sets expect.
        var keep = new HashSet<string>(required.Keys, StringComparer.Ordinal);
        var unknownCas = ops.Where(op => op is { Kind: OpKind.CompareAndSet, Status: OpStatus.Unknown, Value: not null, Expected: not null }).ToList();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var cas in unknownCas)
            {
                if (keep.Contains(cas.Value!) && keep.Add(cas.Expected!)) grew = true;
            }
        }
        var settled = new List<HistoryOp>(ops.Length);
        foreach (var op in ops)
        {
            if (op is not { Status: OpStatus.Unknown, Kind: OpKind.Set or OpKind.CompareAndSet, Value: { } v })
            {
                settled.Add(op);
            }
            else if (required.TryGetValue(v, out var by))
            {
                settled.Add(v != initial && producers[v] == 1 && by >= op.Invoke ? op with { Status = OpStatus.Ok, Complete = by } : op);
            }
            else if (anyDelete || keep.Contains(v))
            {
                settled.Add(op);
            }
        }
        return [.. settled];
    }

    /// <summary>Splits operations in invocation order at every point where all before it completed before all after it began.</summary>
    internal static List<HistoryOp[]> Cut(HistoryOp[] ops)
    {
        var pieces = new List<HistoryOp[]>();
        var start = 0;
        var end = long.MinValue;
        for (var i = 0; i < ops.Length; i++)
        {
            if (i > start && end < ops[i].Invoke)
            {
                pieces.Add(ops[start..i]);
                start = i;
            }
            end = Math.Max(end, ops[i].EffectiveComplete);
        }
        if (ops.Length > start || pieces.Count == 0) pieces.Add(ops[start..]);
        return pieces;
    }
}
