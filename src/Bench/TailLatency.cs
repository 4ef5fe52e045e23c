namespace Orleans.Raft.Bench;

/// <summary>
/// Count, median, 99th and 99.9th percentiles and maximum of a set of durations in milliseconds, each an observed value
/// at its nearest rank (the smallest value with at least that share of the values at or below it); all zero for no values.
/// </summary>
internal sealed record TailLatency(int Count, double P50, double P99, double P999, double Max)
{
    public static TailLatency Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("a value is NaN", nameof(values));
        if (sorted.Length == 0) return new TailLatency(0, 0, 0, 0, 0);
        return new TailLatency(sorted.Length, NearestRank(sorted, 500), NearestRank(sorted, 990), NearestRank(sorted, 999), sorted[^1]);
    }

    /// <summary>The value at rank ceil(permille * n / 1000), counted from 1: whole numbers, so 99.9% of 1000 is exactly the 999th.</summary>
    private static double NearestRank(double[] sorted, int permille) => sorted[(int)Math.Max(1, ((long)permille * sorted.Length + 999) / 1000) - 1];
}
