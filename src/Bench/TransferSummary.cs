namespace Orleans.Raft.Bench;

/// <summary>
/// What the transfer benchmark reports of a run: every request sent in the measured window, failed ones with their
/// distinct errors, throughput, latency overall and of the requests in flight during a transfer (sent before it was
/// answered and answered after it was asked for), the longest wait between two acknowledged writes, from any client,
/// and how long the transfers that succeeded took.
/// </summary>
internal sealed record TransferSummary(
    int Requests,
    int Failed,
    IReadOnlyList<ErrorCount> Errors,
    double ThroughputPerSecond,
    Percentiles Latency,
    Percentiles DuringTransfers,
    int FailedDuringTransfers,
    double LongestStallMs,
    double LongestStallAtMs,
    bool LongestStallDuringTransfer,
    Percentiles TransferDurations,
    int FailedTransfers)
{
    public static TransferSummary Of(IReadOnlyList<TimedRequest> requests, IReadOnlyList<TimedTransfer> transfers, double windowMs)
    {
        if (windowMs <= 0) throw new ArgumentOutOfRangeException(nameof(windowMs), windowMs, "the measured window must last");
        bool During(TimedRequest r) => transfers.Any(t => r.InFlightDuring(t.StartMs, t.EndMs));
        var failed = requests.Where(r => !r.Acknowledged).ToArray();
        var errors = failed.GroupBy(r => r.Error!).Select(g => new ErrorCount(g.Key, g.Count())).OrderByDescending(e => e.Count).ThenBy(e => e.Error, StringComparer.Ordinal).ToArray();
        var during = requests.Where(During).ToArray();

        // The gaps between consecutive acknowledgements, whichever client's; the first starts at the first one.
        var acks = requests.Where(r => r.Acknowledged).Select(r => r.EndMs).Order().ToArray();
        double stall = 0, stallAt = 0;
        for (var i = 1; i < acks.Length; i++)
        {
            if (acks[i] - acks[i - 1] > stall) (stall, stallAt) = (acks[i] - acks[i - 1], acks[i - 1]);
        }
        var stallDuringTransfer = stall > 0 && transfers.Any(t => stallAt < t.EndMs && stallAt + stall > t.StartMs);

        return new TransferSummary(
            requests.Count,
            failed.Length,
            errors,
            acks.Length / (windowMs / 1000),
            Percentiles.Of(requests.Select(r => r.LatencyMs)),
            Percentiles.Of(during.Select(r => r.LatencyMs)),
            during.Count(r => !r.Acknowledged),
            stall,
            stallAt,
            stallDuringTransfer,
            Percentiles.Of(transfers.Where(t => t.Error is null).Select(t => t.DurationMs)),
            transfers.Count(t => t.Error is not null));
    }
}
