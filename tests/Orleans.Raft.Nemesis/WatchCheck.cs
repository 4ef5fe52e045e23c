using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// What a watcher must have seen of a run: every acknowledged change in its range (sets, compare-and-sets that wrote,
/// the puts of the branch a transaction took) exactly once, in revision order, with its value; a change whose outcome
/// is unknown at most once; and nothing else. Values are unique per write, so a put event names the write it comes from.
/// </summary>
public static class WatchCheck
{
    /// <summary>A change as a watcher saw it: a put with its value, or a delete (Value null).</summary>
    public readonly record struct Seen(string Key, string? Value, long Revision);

    public static List<string> Problems(IReadOnlyList<HistoryOp> history, IReadOnlyList<Seen> events, Func<string, bool> inRange)
    {
        var problems = new List<string>();
        void Problem(string text)
        {
            if (problems.Count < 20) problems.Add(text);
        }

        // Each put a write may have made, with whether it surely did.
        var puts = new Dictionary<(string Key, string Value), (HistoryOp Op, bool Must)>();
        var deletes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            foreach (var (key, value, must) in Changes(op))
            {
                if (!inRange(key)) continue;
                if (value is null) deletes.Add(key);
                else puts[(key, value)] = (op, must);
            }
        }

        var count = new Dictionary<(string, string), int>();
        var last = long.MinValue;
        var atRevision = new HashSet<(long, string)>();
        foreach (var e in events)
        {
            if (e.Revision < last) Problem($"{Show(e)} came after revision {last}: out of order");
            last = Math.Max(last, e.Revision);
            if (!atRevision.Add((e.Revision, e.Key))) Problem($"{Show(e)}: a second change of {e.Key} at revision {e.Revision}");
            if (!inRange(e.Key)) Problem($"{Show(e)}: outside the watched range");
            if (e.Value is null)
            {
                if (!deletes.Contains(e.Key)) Problem($"{Show(e)}: no delete of {e.Key} was issued");
                continue;
            }
            if (!puts.TryGetValue((e.Key, e.Value), out _)) Problem($"{Show(e)}: no write that may have taken effect wrote it");
            var n = count[(e.Key, e.Value)] = count.GetValueOrDefault((e.Key, e.Value)) + 1;
            if (n == 2) Problem($"{Show(e)}: seen more than once");
        }
        foreach (var ((key, value), (op, must)) in puts)
        {
            if (must && !count.ContainsKey((key, value))) Problem($"put {key} \"{value}\" of acknowledged #{op.Id} never arrived: {op}");
        }
        return problems;
    }

    /// <summary>The changes op may have made (key, value or null for a delete, and whether it surely made them).</summary>
    public static IEnumerable<(string Key, string? Value, bool Must)> Changes(HistoryOp op)
    {
        var must = op.Status == OpStatus.Ok;
        var may = op.Status == OpStatus.Unknown;
        if (!must && !may) yield break;
        switch (op.Kind)
        {
            case OpKind.Set or OpKind.CompareAndSet when op.Value is not null:
                yield return (op.Key, op.Value, must);
                break;
            case OpKind.Delete:
                yield return (op.Key, null, must);
                break;
            case OpKind.Transaction when op.Txn is { } txn:
                // An acknowledged transaction took one branch; an unknown one may have taken either.
                var branches = must ? [op.Outcome!.Succeeded ? txn.Success : txn.Failure] : new[] { txn.Success, txn.Failure };
                foreach (var step in branches.SelectMany(b => b).Where(s => s.Kind != TxnStepKind.Get))
                    yield return (step.Key, step.Kind == TxnStepKind.Put ? step.Value : null, must);
                break;
        }
    }

    /// <summary>Whether every change that must reach a watcher of the range has: the end of the run waits for it.</summary>
    public static bool CaughtUp(IReadOnlyList<HistoryOp> history, IEnumerable<Seen> events, Func<string, bool> inRange)
    {
        var seen = events.Where(e => e.Value is not null).Select(e => (e.Key, e.Value!)).ToHashSet();
        return history.SelectMany(Changes).All(c => !c.Must || c.Value is null || !inRange(c.Key) || seen.Contains((c.Key, c.Value)));
    }

    private static string Show(Seen e) => e.Value is null ? $"delete {e.Key} at {e.Revision}" : $"put {e.Key} \"{e.Value}\" at {e.Revision}";
}
