using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The cluster benchmark's latency percentiles: observed values at their nearest rank, p99.9 included.</summary>
public sealed class TailLatencyTests
{
    [Fact]
    public void Of_a_thousand_values_p50_p99_and_p999_are_the_500th_990th_and_999th()
    {
        // Shuffled: the summary sorts.
        var values = Enumerable.Range(1, 1000).Select(i => (double)i).OrderBy(v => (v * 7919) % 1000).ToArray();
        Assert.Equal(new TailLatency(1000, 500, 990, 999, 1000), TailLatency.Of(values));
    }

    [Fact]
    public void With_fewer_than_a_thousand_values_p999_is_the_maximum()
    {
        var values = Enumerable.Range(1, 10).Select(i => i * 1.5).ToArray();
        var latency = TailLatency.Of(values);
        Assert.Equal(7.5, latency.P50);
        Assert.Equal(15, latency.P99);
        Assert.Equal(15, latency.P999);
        Assert.Equal(15, latency.Max);
    }

    [Fact]
    public void Of_1001_values_p999_is_the_1000th_not_an_interpolation()
    {
        // 99.9% of 1001 is 999.999: the 1000th value.
        var values = Enumerable.Range(1, 1001).Select(i => (double)i).ToArray();
        Assert.Equal(1000, TailLatency.Of(values).P999);
    }

    [Fact]
    public void No_values_give_zeros_and_a_NaN_is_refused()
    {
        Assert.Equal(new TailLatency(0, 0, 0, 0, 0), TailLatency.Of([]));
        Assert.Throws<ArgumentException>(() => TailLatency.Of([1, double.NaN]));
    }
}
