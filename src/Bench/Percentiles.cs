namespace Orleans.Raft.Bench;

/// <summary>
/// Count, median, 99th percentile and maximum of a set of durations in milliseconds, each an observed value at its
/// nearest rank (the smallest value with at least that share of the values at or below it); all zero for no values.
/// </summary>
internal sealed record Percentiles(int Count, double P50, double P99, double Max)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("a value is NaN", nameof(values));
        if (sorted.Length == 0) return new Percentiles(0, 0, 0, 0);
        return new Percentiles(sorted.Length, NearestRank(sorted, 50), NearestRank(sorted, 99), sorted[^1]);
    }

    /// <summary>The value at rank ceil(percent * n / 100), counted from 1.</summary>
    private static double NearestRank(double[] sorted, int percent) => sorted[Math.Max(1, (percent * sorted.Length + 99) / 100) - 1];
}
