using System.Diagnostics;

namespace Orleans.Raft.Bench;

/// <summary>
/// Closed-loop clients against one <see cref="IBenchTarget"/>: each sends a request, waits for its answer, and sends
/// the next, until the cell's time is up. Throughput and latency count the acknowledged requests; failed ones are
/// counted apart with their errors.
/// </summary>
internal sealed class ClosedLoop(IBenchTarget target)
{
    private const int KeptErrors = 5;
    private static readonly string SetValue = BenchValues.Value(0);
    private readonly Dictionary<int, string?> _casValues = [];
    private long _written;

    /// <summary>Sets every key that gets read and every compare-and-set client's key, so the first cell finds them.</summary>
    public async Task PrefillAsync(int casClients, CancellationToken cancellation)
    {
        var keys = Enumerable.Range(0, BenchValues.Keys).Select(k => (Key: BenchValues.Key(k), Client: -1))
            .Concat(Enumerable.Range(0, casClients).Select(c => (Key: BenchValues.CasKey(c), Client: c)));
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellation }, async (k, ct) =>
        {
            var value = k.Client < 0 ? SetValue : BenchValues.Value(Interlocked.Increment(ref _written));
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await target.SetAsync(Math.Max(0, k.Client), k.Key, value, ct);
                if (outcome.Ok) break;
                if (attempt == 5) throw new InvalidOperationException($"could not set {k.Key} before the cells: {outcome.Error}");
                await Task.Delay(200, ct);
            }
            if (k.Client >= 0)
            {
                lock (_casValues) _casValues[k.Client] = value;
            }
        });
    }

    public async Task<ClusterCell> MeasureAsync(Workload workload, string readMode, int clients, TimeSpan duration, CancellationToken cancellation)
    {
        var load = LoadAverage.Now();
        var latencies = new List<double>[clients];
        var errors = new List<string>[clients];
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(8192);
            var failed = errors[w] = [];
            var random = new Random(w);
            while (stopwatch.Elapsed < duration)
            {
                cancellation.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                var outcome = await RunOneAsync(workload, w, random, cancellation);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (outcome.Ok) mine.Add(ms);
                else failed.Add(outcome.Error ?? "failed");
            }
        }, cancellation)).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var latency = TailLatency.Of(latencies.SelectMany(l => l));
        var failures = errors.SelectMany(e => e).ToArray();
        var samples = failures.CountBy(e => e).OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).Take(KeptErrors)
            .Select(e => new ErrorCount(e.Key, e.Value)).ToArray();
        return new ClusterCell(WorkloadNames.Of(workload), WorkloadNames.IsRead(workload) ? readMode : "", clients, Math.Round(elapsed, 3), latency.Count,
            failures.Length, latency.Count / elapsed, latency.P50, latency.P99, latency.P999, latency.Max, load, samples);
    }

    private async Task<KvOutcome> RunOneAsync(Workload workload, int client, Random random, CancellationToken cancellation)
    {
        switch (workload)
        {
            case Workload.Set:
                return await target.SetAsync(client, BenchValues.Key(random.Next(BenchValues.Keys)), SetValue, cancellation);
            case Workload.GetLinearizable or Workload.GetSerializable:
                return await target.GetAsync(client, BenchValues.Key(random.Next(BenchValues.Keys)), workload == Workload.GetSerializable, cancellation);
            case Workload.CompareAndSet:
                string? expected;
                lock (_casValues) expected = _casValues.GetValueOrDefault(client);
                var value = BenchValues.Value(Interlocked.Increment(ref _written));
                var outcome = await target.CompareAndSetAsync(client, BenchValues.CasKey(client), expected, value, cancellation);
                // After a failed compare, carry on from the value found; after an unknown outcome, the next compare finds out.
                if (outcome.Ok || outcome.IsCompareFailed)
                {
                    lock (_casValues) _casValues[client] = outcome.Ok ? value : outcome.Current;
                }
                return outcome;
            default:
                throw new ArgumentOutOfRangeException(nameof(workload), workload, null);
        }
    }
}
