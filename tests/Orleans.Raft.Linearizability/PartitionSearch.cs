using System.Text;

namespace Orleans.Raft.Linearizability;

/// <summary>
/// Wing and Gong's search with Lowe's memoization over a set of keys that transactions tie together, in
/// <see cref="MultiKeyModel"/>. At each step it may linearize any pending operation invoked no later than the earliest
/// completion among the pending definite ones: the definite ones first, then those with unknown outcomes (which may
/// also never take effect). Unlike the register search it tries an unknown operation at every point it may take
/// effect, since with several keys one that fits the next operation may break a later one: exponential in the
/// unknown operations that matter at worst, and bounded by the budget of states (then Inconclusive).
/// </summary>
internal sealed class PartitionSearch
{
    private readonly string _name;
    private readonly HistoryOp[] _ops;
    private readonly Dictionary<string, int> _index;
    private readonly KeyState[] _initial;
    private readonly int _maxStates;
    private readonly int[] _definite;
    private readonly int[] _unknown;
    private readonly ulong[] _linearized;
    private readonly ulong[] _zobrist;
    private readonly HashSet<Configuration> _seen = [];
    private ulong _hash;

    private int _deepest = -1;
    private ulong[] _deepestSet = [];
    private KeyState[] _deepestState = [];
    private List<int> _deepestOrder = [];

    public PartitionSearch(string name, HistoryOp[] ops, IReadOnlyList<string> keys, string? initial, int maxStates)
    {
        _name = name;
        _ops = ops;
        _index = keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, StringComparer.Ordinal);
        _initial = [.. keys.Select(_ => initial is null ? KeyState.Absent : new KeyState(initial, 1, -1, -1))];
        _maxStates = maxStates;
        _definite = [.. Enumerable.Range(0, ops.Length).Where(i => ops[i].Status != OpStatus.Unknown)];
        _unknown = [.. Enumerable.Range(0, ops.Length).Where(i => ops[i].Status == OpStatus.Unknown)];
        _linearized = new ulong[(ops.Length + 63) / 64];
        _zobrist = new ulong[ops.Length];
        var random = new Random(12345);
        for (var i = 0; i < ops.Length; i++) _zobrist[i] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 1);
    }

    public KeyResult Run()
    {
        var pending = new SortedSet<(long Complete, int Index)>(_definite.Select(i => (_ops[i].Complete, i)));
        var state = _initial;
        var done = 0;
        // Where to resume at this level: a position in the definite operations, then in the unknown ones.
        var cursor = 0;
        var stack = new List<(int Op, KeyState[] Before, int Position)>();
        while (true)
        {
            if (pending.Count == 0)
            {
                return new KeyResult(_name, Verdict.Linearizable, _ops.Length, [.. stack.Select(f => _ops[f.Op])], null);
            }
            if (done > _deepest) Remember(done, state, stack);

            var deadline = pending.Min.Complete;
            (int Op, KeyState[] After, int Position)? chosen = null;
            for (var p = cursor; chosen is null && p < _definite.Length + _unknown.Length; p++)
            {
                var i = p < _definite.Length ? _definite[p] : _unknown[p - _definite.Length];
                if (_ops[i].Invoke > deadline)
                {
                    // Both lists are in invocation order: the rest of this one is too late.
                    if (p < _definite.Length)
                    {
                        p = _definite.Length - 1;
                        continue;
                    }
                    break;
                }
                if (IsSet(i) || !MultiKeyModel.Step(state, _index, _ops[i], out var next)) continue;
                // An unknown operation that changes nothing can be left out.
                if (_ops[i].Status == OpStatus.Unknown && next.AsSpan().SequenceEqual(state)) continue;
                Toggle(i);
                var fresh = _seen.Add(new Configuration(_hash, (ulong[])_linearized.Clone(), next));
                Toggle(i);
                if (fresh) chosen = (i, next, p);
            }

            if (chosen is { } c)
            {
                if (_seen.Count > _maxStates)
                {
                    return new KeyResult(_name, Verdict.Inconclusive, _ops.Length, [],
                        $"keys {_name}: inconclusive after {_maxStates:N0} states ({_ops.Length} operations)");
                }
                stack.Add((c.Op, state, c.Position));
                Toggle(c.Op);
                if (_ops[c.Op].Status != OpStatus.Unknown)
                {
                    pending.Remove((_ops[c.Op].Complete, c.Op));
                    done++;
                }
                state = c.After;
                cursor = 0;
                continue;
            }

            if (stack.Count == 0) return Violation();
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            Toggle(top.Op);
            if (_ops[top.Op].Status != OpStatus.Unknown)
            {
                pending.Add((_ops[top.Op].Complete, top.Op));
                done--;
            }
            state = top.Before;
            cursor = top.Position + 1;
        }
    }

    private void Remember(int done, KeyState[] state, List<(int Op, KeyState[] Before, int Position)> stack)
    {
        _deepest = done;
        _deepestSet = (ulong[])_linearized.Clone();
        _deepestState = state;
        _deepestOrder = [.. stack.Select(f => f.Op)];
    }

    private KeyResult Violation()
    {
        bool Linearized(int i) => (_deepestSet[i >> 6] & (1UL << (i & 63))) != 0;

        var stuck = _definite.Where(i => !Linearized(i)).MinBy(i => _ops[i].Complete);
        var deadline = _ops[stuck].Complete;
        var from = Enumerable.Range(0, _ops.Length).Where(i => !Linearized(i) && _ops[i].Invoke <= deadline).Min(i => _ops[i].Invoke);
        var context = _deepestOrder.Where(i => _ops[i].IsWrite).TakeLast(2).Concat(_deepestOrder.TakeLast(4)).ToHashSet();
        var window = Enumerable.Range(0, _ops.Length)
            .Where(i => context.Contains(i) || (_ops[i].Invoke <= deadline && _ops[i].EffectiveComplete >= from
                && !(Linearized(i) && _ops[i].Status == OpStatus.Unknown)))
            .ToList();

        var keys = _index.OrderBy(k => k.Value).Select(k => $"{k.Key} = {_deepestState[k.Value]}");
        var text = new StringBuilder();
        text.AppendLine($"keys {_name}: NOT linearizable ({_ops.Length} operations, transactions among them).");
        text.AppendLine($"  The longest linearizable prefix has {_deepestOrder.Count} operations and leaves {string.Join(", ", keys)}.");
        text.AppendLine($"  Then nothing fits: #{_ops[stuck].Id} must take effect before it completes at {deadline}, and neither it nor any");
        text.AppendLine("  pending operation invoked before then is consistent with that state.");
        text.AppendLine("  Operations around that point (L = in the prefix, in prefix order; * = the one that could not be placed):");
        foreach (var i in window)
        {
            var mark = Linearized(i) ? $"L{_deepestOrder.IndexOf(i) + 1,-4}" : i == stuck ? "*    " : "     ";
            text.AppendLine($"    {mark} {_ops[i]}");
        }
        return new KeyResult(_name, Verdict.NotLinearizable, _ops.Length, [], text.ToString().TrimEnd())
        {
            Window = [.. window.Select(i => _ops[i])],
        };
    }

    private bool IsSet(int i) => (_linearized[i >> 6] & (1UL << (i & 63))) != 0;

    private void Toggle(int i)
    {
        _linearized[i >> 6] ^= 1UL << (i & 63);
        _hash ^= _zobrist[i];
    }

    private sealed class Configuration(ulong hash, ulong[] linearized, KeyState[] state) : IEquatable<Configuration>
    {
        private readonly int _stateHash = StateHash(state);

        public bool Equals(Configuration? other) =>
            other is not null && other._stateHash == _stateHash && other.Hash == Hash
            && other.Linearized.AsSpan().SequenceEqual(Linearized) && other.State.AsSpan().SequenceEqual(State);

        public ulong Hash { get; } = hash;

        public ulong[] Linearized { get; } = linearized;

        public KeyState[] State { get; } = state;

        public override bool Equals(object? obj) => Equals(obj as Configuration);

        public override int GetHashCode() => HashCode.Combine(Hash, _stateHash);

        private static int StateHash(KeyState[] state)
        {
            var hash = new HashCode();
            foreach (var key in state) hash.Add(key);
            return hash.ToHashCode();
        }
    }
}
