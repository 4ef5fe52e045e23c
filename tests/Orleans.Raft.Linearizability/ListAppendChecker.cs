namespace Orleans.Raft.Linearizability;

/// <summary>
/// An Elle-style check of a list-append history, in time n log n (plus the size of the reads): since every element is
/// appended once, each read's list reveals the order of the appends before it, and no search is needed. Per key:
/// no element twice in a read, none that was never appended (or whose append failed), every read a prefix of the
/// longest (one order of appends); an acknowledged append is in every read invoked after it completed, and after
/// every append acknowledged before it was invoked; a read that completed before another began sees a prefix of it;
/// no read sees an element whose append began after the read ended. Appends with unknown outcomes may or may not
/// appear. These are necessary conditions of linearizability, not all of it: a pass means none was broken.
/// </summary>
public static class ListAppendChecker
{
    private const int MaxProblemsPerKey = 10;

    public static CheckResult Check(IEnumerable<AppendOp> history)
    {
        var keys = history.GroupBy(op => op.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => CheckKey(g.Key, [.. g])).ToList();
        var verdict = keys.Any(k => k.Verdict == Verdict.NotLinearizable) ? Verdict.NotLinearizable : Verdict.Linearizable;
        return new CheckResult(verdict, keys);
    }

    public static KeyResult CheckKey(string key, IReadOnlyList<AppendOp> ops)
    {
        var problems = new List<string>();
        void Problem(string text)
        {
            if (problems.Count < MaxProblemsPerKey) problems.Add(text);
        }

        var appends = new Dictionary<string, AppendOp>(StringComparer.Ordinal);
        foreach (var op in ops.Where(op => op.Kind == AppendOpKind.Append))
        {
            if (op.Element is null) Problem($"{op}: an append without an element");
            else if (!appends.TryAdd(op.Element, op)) Problem($"{op}: element {op.Element} appended twice (also by #{appends[op.Element].Id}); the check needs unique elements");
        }
        var reads = ops.Where(op => op is { Kind: AppendOpKind.Read, Status: OpStatus.Ok }).ToList();
        var longest = reads.MaxBy(r => r.List?.Count ?? 0)?.List ?? [];
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < longest.Count; i++) position.TryAdd(longest[i], i);

        foreach (var read in reads)
        {
            var list = read.List ?? [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                if (!seen.Add(e)) Problem($"{read}: element {e} appears twice");
                if (!appends.TryGetValue(e, out var append)) Problem($"{read}: element {e} was never appended");
                else if (append.Status == OpStatus.Failed) Problem($"{read}: element {e} appears, but its append {append} failed (not applied)");
                else if (read.Complete < append.Invoke) Problem($"{read}: element {e} appears before its append {append} began");
                if (i >= longest.Count || longest[i] != e)
                {
                    Problem($"{read}: not a prefix of the longest read: position {i} holds {e}, the longest read has {(i < longest.Count ? longest[i] : "nothing")} there");
                    break;
                }
            }
        }

        // An acknowledged append is in every read invoked after it completed.
        var acked = ops.Where(op => op is { Kind: AppendOpKind.Append, Status: OpStatus.Ok, Element: not null }).OrderBy(op => op.Complete).ToList();
        var next = 0;
        (AppendOp Op, int Position)? latest = null;
        foreach (var read in reads.OrderBy(r => r.Invoke))
        {
            for (; next < acked.Count && acked[next].Complete < read.Invoke; next++)
            {
                var p = position.GetValueOrDefault(acked[next].Element!, int.MaxValue);
                if (latest is null || p > latest.Value.Position) latest = (acked[next], p);
            }
            if (latest is { } l && l.Position >= (read.List?.Count ?? 0))
                Problem($"{read}: misses {l.Op.Element}, whose append {l.Op} completed before the read began");
        }

        // Real-time order of appends: one acknowledged before another began comes first in the order.
        next = 0;
        latest = null;
        foreach (var append in ops.Where(op => op.Kind == AppendOpKind.Append && op.Element is not null && position.ContainsKey(op.Element)).OrderBy(op => op.Invoke))
        {
            for (; next < acked.Count && acked[next].Complete < append.Invoke; next++)
            {
                var p = position.GetValueOrDefault(acked[next].Element!, int.MaxValue);
                if (latest is null || p > latest.Value.Position) latest = (acked[next], p);
            }
            if (latest is { } l && l.Position > position[append.Element!])
                Problem($"{append}: ordered before {l.Op}, which completed before it began");
        }

        // Real-time order of reads: one that completed before another began sees no more than it.
        next = 0;
        var byComplete = reads.OrderBy(r => r.Complete).ToList();
        AppendOp? longestBefore = null;
        foreach (var read in reads.OrderBy(r => r.Invoke))
        {
            for (; next < byComplete.Count && byComplete[next].Complete < read.Invoke; next++)
            {
                if (longestBefore is null || (byComplete[next].List?.Count ?? 0) > (longestBefore.List?.Count ?? 0)) longestBefore = byComplete[next];
            }
            if (longestBefore is not null && (longestBefore.List?.Count ?? 0) > (read.List?.Count ?? 0))
                Problem($"{read}: sees {read.List?.Count ?? 0} elements, but {longestBefore}, which completed before it began, saw {longestBefore.List?.Count ?? 0}");
        }

        if (problems.Count == 0) return new KeyResult(key, Verdict.Linearizable, ops.Count, [], null);
        return new KeyResult(key, Verdict.NotLinearizable, ops.Count, [],
            $"list {key}: NOT linearizable ({ops.Count} operations, {reads.Count} reads, longest {longest.Count} elements):\n  " + string.Join("\n  ", problems));
    }
}
