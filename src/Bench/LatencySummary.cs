namespace Orleans.Raft.Bench;

/// <summary>
/// Median, 90th percentile and maximum of a set of durations, in milliseconds. The median of an even count is the mean
/// of the two middle values; the 90th percentile is the nearest rank (the smallest value with at least 90% of the
/// values at or below it), so with 10 trials it is the 9th fastest, an observed value and not an interpolation.
/// </summary>
internal sealed record LatencySummary(double Median, double P90, double Max)
{
    public static LatencySummary Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values to summarize", nameof(values));
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("a value is NaN", nameof(values));
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new LatencySummary(median, NearestRank(sorted, 90), sorted[^1]);
    }

    /// <summary>The value at rank ceil(percent * n / 100), counted from 1.</summary>
    private static double NearestRank(double[] sorted, int percent) => sorted[Math.Max(1, (percent * sorted.Length + 99) / 100) - 1];
}
