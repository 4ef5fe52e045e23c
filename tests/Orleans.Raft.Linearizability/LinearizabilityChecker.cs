using System.Text;

namespace Orleans.Raft.Linearizability;

public enum Verdict
{
    Linearizable,
    NotLinearizable,

    /// <summary>The search ran out of its budget of states before finding an answer.</summary>
    Inconclusive,
}

/// <summary>The verdict for one key. For a violation, <see cref="Explanation"/> shows where the search got stuck.</summary>
public sealed record KeyResult(string Key, Verdict Verdict, int Operations, IReadOnlyList<HistoryOp> Linearization, string? Explanation)
{
    /// <summary>The operations that a violation's explanation shows, in invocation order.</summary>
    public IReadOnlyList<HistoryOp> Window { get; init; } = [];

    /// <summary>The pieces quiescent points cut the key's history into (1: not cut).</summary>
    public int Pieces { get; init; } = 1;
}

public sealed record CheckResult(Verdict Verdict, IReadOnlyList<KeyResult> Keys)
{
    public bool IsLinearizable => Verdict == Verdict.Linearizable;

    public string Report()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Verdict}: {Keys.Count} keys, {Keys.Sum(k => k.Operations)} operations checked");
        foreach (var key in Keys.Where(k => k.Verdict != Verdict.Linearizable)) text.AppendLine(key.Explanation);
        return text.ToString().TrimEnd();
    }
}

/// <summary>
/// Wing and Gong's search for a linearization, with Lowe's memoization of (linearized set, state), as Porcupine
/// does it. Each key is checked on its own (a key-value map is linearizable iff each key is), except keys that
/// transactions tie together: those are checked together (see <see cref="Partition"/>, <see cref="PartitionSearch"/>). At every step the
/// search may linearize any pending operation invoked no later than the earliest completion among the pending definite
/// operations; an operation with an unknown outcome completes at +infinity, so it may be linearized at any point
/// after its invocation, or never. Unknown writes are placed only just before a definite operation that needs them
/// (see Moves): trying each one at every point would make the search exponential in the number of timeouts.
/// </summary>
public static class LinearizabilityChecker
{
    public const int DefaultMaxStates = 2_000_000;

    public static CheckResult Check(IEnumerable<HistoryOp> history, string? initial = null, int maxStatesPerKey = DefaultMaxStates)
    {
        var keys = Partition([.. history])
            .Select(p => p.Keys.Count == 1 && !p.Ops.Any(op => op.Kind == OpKind.Transaction)
                ? CheckKey(p.Keys[0], p.Ops, initial, maxStatesPerKey)
                : CheckPartition(p.Keys, p.Ops, initial, maxStatesPerKey))
            .ToList();
        var verdict = keys.Any(k => k.Verdict == Verdict.NotLinearizable) ? Verdict.NotLinearizable
            : keys.Any(k => k.Verdict == Verdict.Inconclusive) ? Verdict.Inconclusive
            : Verdict.Linearizable;
        return new CheckResult(verdict, keys);
    }

    /// <summary>
    /// Splits the history into sets of keys that transactions tie together (the connected components of the graph
    /// whose edges join the keys of one transaction), each with every operation on its keys. A history is
    /// linearizable iff each set's is: every operation touches one set only, so linearizations of the sets interleave
    /// into one (linearizability is local, Herlihy and Wing). A key no transaction names is a set of its own.
    /// </summary>
    public static IReadOnlyList<(IReadOnlyList<string> Keys, IReadOnlyList<HistoryOp> Ops)> Partition(IReadOnlyList<HistoryOp> history)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Find(string k)
        {
            while (parent[k] != k) k = parent[k] = parent[parent[k]];
            return k;
        }
        foreach (var op in history)
        {
            string? first = null;
            foreach (var key in op.Keys)
            {
                parent.TryAdd(key, key);
                if (first is null) first = Find(key);
                else
                {
                    var root = Find(key);
                    if (root != first) parent[root] = first;
                }
            }
        }
        var ops = history.GroupBy(op => Find(op.Keys.First()), StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<HistoryOp>)[.. g], StringComparer.Ordinal);
        return [.. parent.Keys.GroupBy(Find, StringComparer.Ordinal)
            .Select(g => ((IReadOnlyList<string>)[.. g.Order(StringComparer.Ordinal)], ops.GetValueOrDefault(g.Key) ?? []))
            .OrderBy(p => p.Item1[0], StringComparer.Ordinal)];
    }

    /// <summary>Checks a set of keys with transactions among their operations as a whole.</summary>
    public static KeyResult CheckPartition(IReadOnlyList<string> keys, IReadOnlyList<HistoryOp> history, string? initial = null, int maxStates = DefaultMaxStates) =>
        new PartitionSearch(string.Join(", ", keys), PrunePartition(history), keys, initial, maxStates).Run();

    public static KeyResult CheckKey(string key, IReadOnlyList<HistoryOp> history, string? initial = null, int maxStatesPerKey = DefaultMaxStates)
    {
        var ops = Prune(history);
        return new KeySearch(key, ops, initial, maxStatesPerKey).Run();
    }

    /// <summary>
    /// Drops what cannot matter: failed operations, gets with unknown outcomes, and unknown writes of a value no
    /// operation ever saw or expected when no delete succeeded. Such a write is unobservable: a linearization that
    /// includes it stays one without it, since everything between it and the next overwrite would have had to see
    /// its value. This keeps the search from trying every subset of the writes that timed out.
    /// </summary>
    internal static HistoryOp[] Prune(IReadOnlyList<HistoryOp> history)
    {
        var kept = history.Where(op => op.Status != OpStatus.Failed && !(op.Kind == OpKind.Get && op.Status == OpStatus.Unknown)).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in kept)
        {
            if (op.Output is { } o) seen.Add(o);
            if (op.Expected is { } e) seen.Add(e);
        }
        var anyDelete = kept.Any(op => op.Kind == OpKind.Delete && op.Status == OpStatus.Ok);
        return [.. kept.Where(op => anyDelete || op.Status != OpStatus.Unknown || op.Kind == OpKind.Delete || op.Value is null || seen.Contains(op.Value))
            .OrderBy(op => op.Invoke).ThenBy(op => op.Id)];
    }

    /// <summary>
    /// As <see cref="Prune"/>, for a set of keys with transactions: an unknown write is dropped when nothing could
    /// observe it: no operation saw or expected any value it may write, no delete succeeded, and no compare looks at
    /// versions or revisions (which every write changes). Unknown transactions that write nothing are dropped too.
    /// </summary>
    private static HistoryOp[] PrunePartition(IReadOnlyList<HistoryOp> history)
    {
        var kept = history.Where(op => op.Status != OpStatus.Failed
            && !(op.Status == OpStatus.Unknown && (op.Kind == OpKind.Get || (op.Kind == OpKind.Transaction && op.Txn?.Writes != true)))).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var metadata = false;
        foreach (var op in kept)
        {
            if (op.Output is { } o) seen.Add(o);
            if (op.Expected is { } e) seen.Add(e);
            foreach (var read in op.Outcome?.Reads ?? []) if (read is not null) seen.Add(read);
            foreach (var condition in op.Txn?.Conditions ?? [])
            {
                if (condition.Value is { } v) seen.Add(v);
                metadata |= condition.Target != ConditionTarget.Value;
            }
        }
        var anyDelete = kept.Any(op => op.Kind == OpKind.Delete && op.Status == OpStatus.Ok);
        bool Observable(HistoryOp op) => op.Kind switch
        {
            OpKind.Transaction => op.Txn!.Success.Concat(op.Txn.Failure).Any(s => s.Kind == TxnStepKind.Delete || (s.Value is { } v && seen.Contains(v))),
            OpKind.Delete => true,
            _ => op.Value is null || seen.Contains(op.Value),
        };
        return [.. kept.Where(op => anyDelete || metadata || op.Status != OpStatus.Unknown || Observable(op))
            .OrderBy(op => op.Invoke).ThenBy(op => op.Id)];
    }

    /// <summary>The register search on operations already pruned and in invocation order.</summary>
    internal static KeyResult SearchKey(string key, HistoryOp[] ops, string? initial, int maxStates) => new KeySearch(key, ops, initial, maxStates).Run();

    private sealed class KeySearch(string key, HistoryOp[] ops, string? initial, int maxStates)
    {
        private readonly ulong[] _linearized = new ulong[(ops.Length + 63) / 64];
        private readonly ulong[] _zobrist = Zobrist(ops.Length);
        private readonly SortedSet<(long Complete, int Index)> _pending = [];
        private readonly HashSet<Configuration> _seen = [];
        private ulong _hash;

        // The deepest point the search reached, for the explanation of a violation.
        private int _deepest = -1;
        private ulong[] _deepestSet = [];
        private string? _deepestState;
        private List<int> _deepestOrder = [];

        public KeyResult Run()
        {
            var definite = 0;
            for (var i = 0; i < ops.Length; i++)
            {
                if (ops[i].Status == OpStatus.Unknown) continue;
                _pending.Add((ops[i].Complete, i));
                definite++;
            }

            var state = initial;
            var done = 0;
            // Where to resume at this level: the definite operation, and which way of placing it.
            var (cursor, alternative) = (0, 0);
            var stack = new List<Frame>();
            while (true)
            {
                if (done == definite)
                {
                    return new KeyResult(key, Verdict.Linearizable, ops.Length, [.. stack.SelectMany(f => f.Indices).Select(i => ops[i])], null);
                }
                if (done > _deepest) Remember(done, state, stack);

                var deadline = _pending.Min.Complete;
                Frame? chosen = null;
                for (var i = Math.Max(cursor, FirstPending()); chosen is null && i < ops.Length && ops[i].Invoke <= deadline; i++, alternative = 0)
                {
                    if (IsSet(i) || ops[i].Status == OpStatus.Unknown) continue;
                    var moves = Moves(state, i, deadline);
                    for (; alternative < moves.Count; alternative++)
                    {
                        var (indices, next) = moves[alternative];
                        foreach (var j in indices) Toggle(j);
                        // Every operation before the first pending one is linearized, so only the words from there on
                        // tell configurations apart. Probe without copying; copy only when the configuration is new.
                        var from = FirstPending() >> 6;
                        var fresh = !_seen.Contains(new Configuration(_hash, _linearized.AsMemory(from), next));
                        if (fresh) _seen.Add(new Configuration(_hash, _linearized.AsSpan(from).ToArray(), next));
                        foreach (var j in indices) Toggle(j);
                        if (!fresh) continue;
                        chosen = new Frame(indices, state, next, i, alternative);
                        break;
                    }
                }

                if (chosen is not null)
                {
                    if (_seen.Count > maxStates)
                    {
                        return new KeyResult(key, Verdict.Inconclusive, ops.Length, [],
                            $"key {key}: inconclusive after {maxStates:N0} states ({ops.Length} operations)");
                    }
                    stack.Add(chosen);
                    foreach (var j in chosen.Indices) Toggle(j);
                    _pending.Remove((ops[chosen.Op].Complete, chosen.Op));
                    done++;
                    state = chosen.After;
                    (cursor, alternative) = (0, 0);
                    continue;
                }

                if (stack.Count == 0) return Violation();
                var top = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                foreach (var j in top.Indices) Toggle(j);
                _pending.Add((ops[top.Op].Complete, top.Op));
                done--;
                state = top.Before;
                (cursor, alternative) = (top.Op, top.Alternative + 1);
            }
        }

        /// <summary>
        /// The ways to place definite operation d next: alone if it fits the state, and otherwise right after a chain
        /// of pending unknown writes that makes it fit. Nothing else is needed: an unknown write is either followed
        /// by an operation that fits only thanks to it, or it can be left out (it is overwritten, or changes nothing
        /// the next operation can see). A chain starts with a set or delete, or a compare-and-set that succeeds, and
        /// goes on with compare-and-sets that succeed; anything before its last set or delete would be overwritten.
        /// </summary>
        private List<(int[] Indices, string? After)> Moves(string? state, int d, long deadline)
        {
            if (RegisterModel.Step(state, ops[d], out var after)) return [([d], after)];
            var unknowns = new List<int>();
            for (var i = FirstPending(); i < ops.Length && ops[i].Invoke <= deadline; i++)
            {
                if (!IsSet(i) && ops[i].Status == OpStatus.Unknown) unknowns.Add(i);
            }
            var moves = new List<(int[], string?)>();
            if (unknowns.Count > 0) Extend(state, [], [state]);
            return moves;

            void Extend(string? current, List<int> chain, List<string?> visited)
            {
                foreach (var u in unknowns)
                {
                    if (chain.Contains(u)) continue;
                    var op = ops[u];
                    string? next;
                    if (op.Kind == OpKind.CompareAndSet && op.Expected == current) next = op.Value;
                    else if (chain.Count == 0 && op.Kind == OpKind.Set) next = op.Value;
                    else if (chain.Count == 0 && op.Kind == OpKind.Delete) next = null;
                    else continue;
                    // A chain that comes back to a state it passed through has a shorter equivalent.
                    if (visited.Contains(next)) continue;
                    chain.Add(u);
                    if (RegisterModel.Step(next, ops[d], out var result)) moves.Add(([.. chain, d], result));
                    else
                    {
                        visited.Add(next);
                        Extend(next, chain, visited);
                        visited.RemoveAt(visited.Count - 1);
                    }
                    chain.RemoveAt(chain.Count - 1);
                }
            }
        }

        private sealed record Frame(int[] Indices, string? Before, string? After, int Op, int Alternative);

        private void Remember(int done, string? state, List<Frame> stack)
        {
            _deepest = done;
            _deepestSet = (ulong[])_linearized.Clone();
            _deepestState = state;
            _deepestOrder = [.. stack.SelectMany(f => f.Indices)];
        }

        private KeyResult Violation()
        {
            bool Linearized(int i) => (_deepestSet[i >> 6] & (1UL << (i & 63))) != 0;

            // At the deepest point, the pending definite operation that completes first had to be linearized next
            // (or after other pending operations invoked before it completed), and none of them fit the state.
            var stuck = Enumerable.Range(0, ops.Length).Where(i => !Linearized(i) && ops[i].Status != OpStatus.Unknown)
                .MinBy(i => ops[i].Complete);
            var deadline = ops[stuck].Complete;
            var from = Enumerable.Range(0, ops.Length).Where(i => !Linearized(i) && ops[i].Invoke <= deadline).Min(i => ops[i].Invoke);
            // Also the end of the prefix, and the writes that set the value it leaves: the context of the failure.
            var context = _deepestOrder.Where(i => ops[i].IsWrite).TakeLast(2).Concat(_deepestOrder.TakeLast(4)).ToHashSet();
            var window = Enumerable.Range(0, ops.Length)
                .Where(i => context.Contains(i) || (ops[i].Invoke <= deadline && ops[i].EffectiveComplete >= from
                    // An unknown operation placed long before overlaps everything; it is context only if recent.
                    && !(Linearized(i) && ops[i].Status == OpStatus.Unknown)))
                .ToList();

            var text = new StringBuilder();
            text.AppendLine($"key {key}: NOT linearizable ({ops.Length} operations).");
            text.AppendLine($"  The longest linearizable prefix has {_deepestOrder.Count} operations and leaves the key at {HistoryOp.Show(_deepestState)}.");
            text.AppendLine($"  Then nothing fits: #{ops[stuck].Id} must take effect before it completes at {deadline}, and neither it nor any");
            text.AppendLine($"  pending operation invoked before then is consistent with {HistoryOp.Show(_deepestState)}.");
            text.AppendLine("  Operations around that point (L = in the prefix, in prefix order; * = the one that could not be placed):");
            foreach (var i in window)
            {
                var mark = Linearized(i) ? $"L{_deepestOrder.IndexOf(i) + 1,-4}" : i == stuck ? "*    " : "     ";
                text.AppendLine($"    {mark} {ops[i]}");
            }
            return new KeyResult(key, Verdict.NotLinearizable, ops.Length, [], text.ToString().TrimEnd())
            {
                Window = [.. window.Select(i => ops[i])],
            };
        }

        private int FirstPending()
        {
            for (var w = 0; w < _linearized.Length; w++)
            {
                if (_linearized[w] != ulong.MaxValue) return (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(~_linearized[w]);
            }
            return ops.Length;
        }

        private bool IsSet(int i) => (_linearized[i >> 6] & (1UL << (i & 63))) != 0;

        private void Toggle(int i)
        {
            _linearized[i >> 6] ^= 1UL << (i & 63);
            _hash ^= _zobrist[i];
        }

        private static ulong[] Zobrist(int n)
        {
            // Fixed seed: the search, and so its explanation, is the same on every run.
            var random = new Random(12345);
            var values = new ulong[n];
            for (var i = 0; i < n; i++) values[i] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
            return values;
        }
    }

    /// <summary>A linearized set (from the word of its first pending operation on) and the state it leads to.</summary>
    private sealed class Configuration(ulong hash, ReadOnlyMemory<ulong> linearized, string? state) : IEquatable<Configuration>
    {
        private readonly ReadOnlyMemory<ulong> _linearized = linearized;

        public ulong Hash { get; } = hash;

        public string? State { get; } = state;

        public bool Equals(Configuration? other) =>
            other is not null && other.Hash == Hash && other.State == State && other._linearized.Span.SequenceEqual(_linearized.Span);

        public override bool Equals(object? obj) => Equals(obj as Configuration);

        public override int GetHashCode() => HashCode.Combine(Hash, State);
    }
}
