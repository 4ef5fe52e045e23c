namespace Orleans.Raft.Linearizability;

/// <summary>
/// A deterministic linearizable history for measuring the checkers, shaped like the nemesis's: clients run one
/// operation at a time on random keys (45% gets, 35% sets, 20% compare-and-sets of the value last seen) against a
/// true register, each taking effect at a random point of its interval. Every tenth second is a "fault": operations
/// are slow, and a share of them time out (an unknown outcome, applied or not, at a random later point).
/// </summary>
public static class SyntheticHistory
{
    public static List<HistoryOp> Generate(int seed, int operations, int keys = 16, int clients = 10, double unknownRate = 0.02)
    {
        var random = new Random(seed);
        var pending = new List<(HistoryOp Op, long At, bool Effect)>(operations);
        var clocks = new long[clients];
        var lastSeen = new Dictionary<string, string?>[clients];
        for (var c = 0; c < clients; c++) lastSeen[c] = [];
        for (var id = 1; id <= operations; id++)
        {
            var c = random.Next(clients);
            var invoke = clocks[c];
            var fault = invoke / 1_000_000 % 10 == 9;
            var unknown = fault && random.NextDouble() < unknownRate * 10;
            var complete = invoke + (fault ? random.Next(1_000, 200_000) : random.Next(300, 5_000));
            var at = unknown ? invoke + random.Next(0, 3_000_000) : random.NextInt64(invoke, complete + 1);
            var key = $"k{random.Next(keys)}";
            var roll = random.Next(100);
            var kind = roll < 45 ? OpKind.Get : roll < 80 ? OpKind.Set : OpKind.CompareAndSet;
            pending.Add((new HistoryOp
            {
                Id = id,
                Client = c,
                Key = key,
                Kind = kind,
                Value = kind == OpKind.Get ? null : $"c{c}-{id}",
                Expected = kind == OpKind.CompareAndSet ? lastSeen[c].GetValueOrDefault(key) : null,
                Invoke = invoke,
                Complete = complete,
                Status = unknown ? OpStatus.Unknown : OpStatus.Ok,
            }, at, !unknown || random.Next(2) == 0));
            clocks[c] = complete + random.Next(0, 15_000);
            // Roughly what the client will see; only for choosing what a compare-and-set expects.
            if (kind != OpKind.Get) lastSeen[c][key] = $"c{c}-{id}";
        }
        var state = new Dictionary<string, string?>(StringComparer.Ordinal);
        var history = new HistoryOp[operations];
        foreach (var (op, _, effect) in pending.OrderBy(p => p.At).ThenBy(p => p.Op.Id))
        {
            var current = state.GetValueOrDefault(op.Key);
            var answered = op.Status == OpStatus.Unknown ? op : op.Kind switch
            {
                OpKind.Get => op with { Status = current is null ? OpStatus.NotFound : OpStatus.Ok, Output = current },
                OpKind.Set => op,
                _ => current == op.Expected ? op : op with { Status = OpStatus.CompareFailed, Output = current },
            };
            if (effect) RegisterModel.Step(current, answered, out current);
            state[op.Key] = current;
            history[op.Id - 1] = answered;
        }
        return [.. history];
    }
}
