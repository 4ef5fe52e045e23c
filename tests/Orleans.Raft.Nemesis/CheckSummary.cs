using System.Text;
using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>The summary's lines about the checkers, for a run and for <c>check --history</c> alike.</summary>
public static class CheckSummary
{
    public static string Lines(CheckResult linearizability, CheckResult listAppend, IReadOnlyList<AppendOp> appends, TimeSpan checkTime)
    {
        var text = new StringBuilder();
        var keys = linearizability.Keys;
        text.AppendLine($"linearizability: {Show(linearizability.Verdict)} ({keys.Sum(k => k.Operations)} operations over {keys.Sum(k => k.Key.Split(", ").Length)} keys, " +
            $"as {keys.Count} sets that transactions tie together; single keys cut at quiescent points into {keys.Sum(k => k.Pieces)} pieces)");
        if (!linearizability.IsLinearizable) text.AppendLine(linearizability.Report());
        var appended = appends.Where(op => op.Kind == AppendOpKind.Append).ToList();
        text.AppendLine(appends.Count == 0 ? "list-append: not run" :
            $"list-append: {Show(listAppend.Verdict)} ({appends.Count} operations on {listAppend.Keys.Count} lists: {appended.Count} appends " +
            $"({appended.Count(op => op.Status == OpStatus.Ok)} acknowledged, {appended.Count(op => op.Status == OpStatus.Unknown)} unknown), " +
            $"{appends.Count(op => op is { Kind: AppendOpKind.Read, Status: OpStatus.Ok })} reads, longest list {appends.Max(op => op.List?.Count ?? 0)})");
        if (!listAppend.IsLinearizable) text.AppendLine(listAppend.Report());
        text.Append($"checker: {checkTime.TotalSeconds:0.00} s on {Environment.ProcessorCount} cores");
        return text.ToString();
    }

    public static string Show(Verdict verdict) => verdict switch
    {
        Verdict.Linearizable => "Linearizable",
        Verdict.NotLinearizable => "NOT linearizable",
        _ => "UNKNOWN (a piece ran out of its budget of states)",
    };
}
