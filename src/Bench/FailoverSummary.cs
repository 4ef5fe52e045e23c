namespace Orleans.Raft.Bench;

/// <summary>
/// The kill -9 trials of a run, and from the kill to a new leader, to the first acknowledged write, and the longest
/// stall after it: median, p90 and maximum; or, when the trials were not run, why not.
/// </summary>
internal sealed record FailoverSummary(FailoverTrial[] Trials, LatencySummary? KillToLeader, LatencySummary? KillToWrite, LatencySummary? LongestStallAfter, string? Skipped)
{
    public static FailoverSummary Of(IReadOnlyList<FailoverTrial> trials) => trials.Count == 0
        ? NotRun("no trials were asked for (--failover-trials 0)")
        : new([.. trials], LatencySummary.Of(trials.Select(t => t.KillToLeaderMs)), LatencySummary.Of(trials.Select(t => t.KillToWriteMs)),
            LatencySummary.Of(trials.Select(t => t.LongestStallAfterMs)), null);

    public static FailoverSummary NotRun(string why) => new([], null, null, null, why);
}
