using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>The checks other than linearizability: no acknowledged write is lost, and logs match.</summary>
public static class Checks
{
    /// <summary>
    /// Every acknowledged write survives unless a later write may have replaced it. With <paramref name="finals"/>
    /// the value read from each key after healing: if some acknowledged write could not have been followed by any
    /// other write (none completed after it was invoked), the key must hold its value; otherwise the key must hold
    /// the value of a write that may have come last (no acknowledged write was invoked after it completed).
    /// </summary>
    public static List<string> LostWrites(IReadOnlyList<HistoryOp> history, IReadOnlyDictionary<string, string?> finals)
    {
        var problems = new List<string>();
        foreach (var (key, final) in finals)
        {
            var writes = history.Where(op => op.Key == key && TookEffectMaybe(op)).ToList();
            var acked = writes.Where(op => op.Status != OpStatus.Unknown).ToList();
            var survivor = acked.FirstOrDefault(w => writes.All(other => other == w || other.EffectiveComplete <= w.Invoke));
            if (survivor is not null)
            {
                if (WrittenValue(survivor) != final)
                    problems.Add($"key {key}: the last acknowledged write {survivor} was lost: the key holds {Show(final)}");
                continue;
            }
            var possiblyLast = writes.Where(w => !acked.Any(a => a.Invoke > w.EffectiveComplete)).ToList();
            var explained = possiblyLast.Any(w => WrittenValue(w) == final) || (final is null && acked.Count == 0);
            if (!explained)
            {
                var source = writes.FirstOrDefault(w => WrittenValue(w) == final);
                problems.Add(source is null
                    ? $"key {key}: holds {Show(final)}, which no write wrote"
                    : $"key {key}: holds {Show(final)} from {source}, but a later acknowledged write should have replaced it");
            }
        }
        return problems;
    }

    /// <summary>
    /// Logs match: for any index that two replicas still hold at or below both of their commit indexes, the terms
    /// are equal (Raft's Log Matching and Leader Completeness, as seen from outside).
    /// </summary>
    public static List<string> LogMismatches(IReadOnlyDictionary<string, (long Commit, LogPosition[] Positions)> logs, out int comparedIndexes)
    {
        var problems = new List<string>();
        var compared = new HashSet<long>();
        var replicas = logs.Keys.Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < replicas.Length; i++)
        {
            var a = logs[replicas[i]];
            var terms = a.Positions.Where(p => p.Index <= a.Commit).ToDictionary(p => p.Index, p => p.Term);
            for (var j = i + 1; j < replicas.Length; j++)
            {
                var b = logs[replicas[j]];
                var upTo = Math.Min(a.Commit, b.Commit);
                foreach (var p in b.Positions.Where(p => p.Index <= upTo))
                {
                    if (!terms.TryGetValue(p.Index, out var term)) continue;
                    compared.Add(p.Index);
                    if (term != p.Term && problems.Count < 20)
                        problems.Add($"index {p.Index}: {replicas[i]} has term {term}, {replicas[j]} has term {p.Term} (both committed)");
                }
            }
        }
        comparedIndexes = compared.Count;
        return problems;
    }

    // Writes that may have changed the key: acknowledged ones that did, and unknown ones.
    private static bool TookEffectMaybe(HistoryOp op) => op.Kind switch
    {
        OpKind.Get or OpKind.Transaction => false,
        OpKind.Set => op.Status is OpStatus.Ok or OpStatus.Unknown,
        OpKind.Delete => op.Status is OpStatus.Ok or OpStatus.Unknown,
        _ => op.Status is OpStatus.Ok or OpStatus.Unknown,
    };

    private static string? WrittenValue(HistoryOp op) => op.Kind == OpKind.Delete ? null : op.Value;

    private static string Show(string? value) => value is null ? "(absent)" : $"\"{value}\"";
}
