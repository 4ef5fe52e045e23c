using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The transfer benchmark's summary: failures and their errors, the requests in flight during a transfer, the longest stall.</summary>
public sealed class TransferSummaryTests
{
    private static readonly TimedTransfer[] OneTransfer = [new(1, "r1", "r2", 100, 200, null)];

    [Fact]
    public void A_request_is_in_flight_during_a_transfer_when_it_was_sent_before_the_transfer_ended_and_answered_after_it_began()
    {
        TimedRequest[] requests =
        [
            new(0, 100, null),   // answered as the transfer was asked for: not in flight
            new(0, 101, null),   // overlaps its start
            new(150, 160, null), // within it
            new(199, 300, null), // overlaps its end
            new(200, 210, null), // sent as it was answered: not in flight
            new(50, 250, null),  // spans it
        ];
        var summary = TransferSummary.Of(requests, OneTransfer, 1000);
        Assert.Equal(4, summary.DuringTransfers.Count);
        Assert.Equal(200, summary.DuringTransfers.Max);
        Assert.Equal(6, summary.Latency.Count);
    }

    [Fact]
    public void Failed_requests_are_counted_with_their_distinct_errors_most_frequent_first()
    {
        TimedRequest[] requests =
        [
            new(0, 10, null),
            new(110, 120, "Timeout: b"),
            new(120, 130, "NotLeader: a"),
            new(300, 310, "Timeout: b"),
            new(310, 320, null),
        ];
        var summary = TransferSummary.Of(requests, OneTransfer, 1000);
        Assert.Equal(5, summary.Requests);
        Assert.Equal(3, summary.Failed);
        Assert.Equal([new ErrorCount("Timeout: b", 2), new ErrorCount("NotLeader: a", 1)], summary.Errors);
        Assert.Equal(2, summary.FailedDuringTransfers);
        // Only acknowledged writes count toward throughput: 2 in 1 s.
        Assert.Equal(2, summary.ThroughputPerSecond);
    }

    [Fact]
    public void The_longest_stall_is_the_widest_gap_between_acknowledgements_of_any_client_and_failures_do_not_end_it()
    {
        TimedRequest[] requests =
        [
            new(0, 50, null),
            new(0, 90, null),
            new(60, 150, "Timeout: x"), // a failure is no acknowledgement
            new(90, 260, null),
            new(260, 280, null),
        ];
        var summary = TransferSummary.Of(requests, OneTransfer, 1000);
        Assert.Equal(170, summary.LongestStallMs);
        Assert.Equal(90, summary.LongestStallAtMs);
        Assert.True(summary.LongestStallDuringTransfer);

        var later = TransferSummary.Of(requests, [new(1, "r1", "r2", 270, 275, null)], 1000);
        Assert.False(later.LongestStallDuringTransfer);
    }

    [Fact]
    public void Percentiles_are_observed_values_at_the_nearest_rank()
    {
        var hundred = Enumerable.Range(1, 100).Select(i => (double)i).Reverse();
        Assert.Equal(new Percentiles(100, 50, 99, 100), Percentiles.Of(hundred));
        // 99% of 10 is 9.9: the 10th value; 50% of 3 is 1.5: the 2nd.
        Assert.Equal(10, Percentiles.Of(Enumerable.Range(1, 10).Select(i => (double)i)).P99);
        Assert.Equal(new Percentiles(3, 20, 30, 30), Percentiles.Of([30, 10, 20]));
        Assert.Equal(new Percentiles(0, 0, 0, 0), Percentiles.Of([]));
        Assert.Throws<ArgumentException>(() => Percentiles.Of([1, double.NaN]));
    }

    [Fact]
    public void Durations_are_of_the_transfers_that_succeeded_and_the_failed_ones_are_counted()
    {
        TimedTransfer[] transfers =
        [
            new(1, "r1", "r2", 0, 300, null), new(2, "r2", "r3", 1000, 1100, null), new(3, "r3", "r1", 2000, 2200, null),
            new(4, "r1", "r2", 3000, 4000, "did not finish within an election timeout"),
        ];
        var summary = TransferSummary.Of([new TimedRequest(0, 1, null)], transfers, 5000);
        Assert.Equal(new Percentiles(3, 200, 300, 300), summary.TransferDurations);
        Assert.Equal(1, summary.FailedTransfers);
    }
}
