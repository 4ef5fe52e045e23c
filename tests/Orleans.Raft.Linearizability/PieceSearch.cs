namespace Orleans.Raft.Linearizability;

/// <summary>
/// Every state a piece of one key's history may end in, from any of a set of start states: an exhaustive search over
/// (linearized set, state) with Lowe's memoization. Only for pieces of definite operations (a piece that ends at a
/// quiescent cut has none with an unknown outcome left). Returns null when it explored more than its budget.
/// </summary>
internal static class PieceSearch
{
    public static HashSet<string?>? FinalStates(HistoryOp[] ops, IEnumerable<string?> starts, int maxStates, out int explored)
    {
        var finals = new HashSet<string?>(StringComparer.Ordinal);
        var words = (ops.Length + 63) / 64;
        var seen = new HashSet<Configuration>();
        var stack = new Stack<Configuration>();
        foreach (var start in starts.Distinct(StringComparer.Ordinal))
        {
            var first = new Configuration(new ulong[words], start);
            if (seen.Add(first)) stack.Push(first);
        }
        explored = 0;
        while (stack.Count > 0)
        {
            if (++explored > maxStates) return null;
            var config = stack.Pop();
            var set = config.Linearized;
            // The operations up to the first pending one are all linearized, in invocation order.
            var firstPending = FirstPending(set, ops.Length);
            if (firstPending == ops.Length)
            {
                finals.Add(config.State);
                continue;
            }
            var deadline = long.MaxValue;
            for (var i = firstPending; i < ops.Length && ops[i].Invoke <= deadline; i++)
            {
                if (!IsSet(set, i)) deadline = Math.Min(deadline, ops[i].Complete);
            }
            for (var i = firstPending; i < ops.Length && ops[i].Invoke <= deadline; i++)
            {
                if (IsSet(set, i) || !RegisterModel.Step(config.State, ops[i], out var next)) continue;
                var after = (ulong[])set.Clone();
                after[i >> 6] |= 1UL << (i & 63);
                var child = new Configuration(after, next);
                if (seen.Add(child)) stack.Push(child);
            }
        }
        return finals;
    }

    private static bool IsSet(ulong[] set, int i) => (set[i >> 6] & (1UL << (i & 63))) != 0;

    private static int FirstPending(ulong[] set, int length)
    {
        for (var w = 0; w < set.Length; w++)
        {
            if (set[w] != ulong.MaxValue) return Math.Min(length, (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(~set[w]));
        }
        return length;
    }

    private sealed class Configuration(ulong[] linearized, string? state) : IEquatable<Configuration>
    {
        private readonly int _hash = Hash(linearized, state);

        public ulong[] Linearized { get; } = linearized;

        public string? State { get; } = state;

        public bool Equals(Configuration? other) =>
            other is not null && other._hash == _hash && other.State == State && other.Linearized.AsSpan().SequenceEqual(Linearized);

        public override bool Equals(object? obj) => Equals(obj as Configuration);

        public override int GetHashCode() => _hash;

        private static int Hash(ulong[] linearized, string? state)
        {
            var hash = new HashCode();
            foreach (var word in linearized) hash.Add(word);
            hash.Add(state, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}
