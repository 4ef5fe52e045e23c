using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The failover benchmark's summary: median, nearest-rank p90 and maximum.</summary>
public sealed class LatencySummaryTests
{
    [Fact]
    public void Ten_values_have_the_mean_of_the_middle_two_as_median_and_the_ninth_as_p90()
    {
        // Shuffled: the summary sorts.
        var summary = LatencySummary.Of([700, 100, 1000, 300, 900, 200, 600, 400, 800, 500]);
        Assert.Equal(new LatencySummary(550, 900, 1000), summary);
    }

    [Fact]
    public void An_odd_count_has_the_middle_value_as_median()
    {
        Assert.Equal(new LatencySummary(30, 50, 50), LatencySummary.Of([50, 10, 30, 20, 40]));
    }

    [Fact]
    public void One_value_is_its_own_median_p90_and_max()
    {
        Assert.Equal(new LatencySummary(812.5, 812.5, 812.5), LatencySummary.Of([812.5]));
    }

    [Fact]
    public void P90_is_an_observed_value_at_the_nearest_rank()
    {
        // 90% of 20 is 18: the 18th value, not an interpolation.
        var twenty = Enumerable.Range(1, 20).Select(i => i * 10.0).ToArray();
        Assert.Equal(180, LatencySummary.Of(twenty).P90);
        // 90% of 11 is 9.9: the 10th value.
        Assert.Equal(10, LatencySummary.Of([.. Enumerable.Range(1, 11).Select(i => (double)i)]).P90);
    }

    [Fact]
    public void An_empty_set_or_a_NaN_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LatencySummary.Of([]));
        Assert.Throws<ArgumentException>(() => LatencySummary.Of([1, double.NaN]));
    }
}
