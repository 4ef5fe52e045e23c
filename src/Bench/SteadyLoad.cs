namespace Orleans.Raft.Bench;

/// <summary>Closed-loop sets for a long while, the groups' leadership sampled meanwhile, to count the elections that steady load causes.</summary>
internal static class SteadyLoad
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<SteadyLoadResult> RunAsync(IBenchTarget target, ClosedLoop loop, int clients, TimeSpan duration, CancellationToken cancellation)
    {
        var samples = new List<GroupLeader[]>();
        var failed = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    samples.Add(await target.LeadershipAsync(stop.Token));
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    failed++;
                }
                try
                {
                    await Task.Delay(SampleInterval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // The cell is over.
                }
            }
        }, CancellationToken.None);
        ClusterCell cell;
        try
        {
            cell = await loop.MeasureAsync(Workload.Set, "", clients, duration, cancellation);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sampling;
            }
            catch (OperationCanceledException)
            {
                // Stopped mid-sample.
            }
        }
        // One more sample once the load is off: an election that the last sample missed still shows in the term.
        samples.Add(await target.LeadershipAsync(cancellation));
        var count = ElectionCount.Of(samples);
        return new SteadyLoadResult(cell, samples.Count, failed, samples[0].Sum(g => g.Term), samples[^1].Sum(g => g.Term), count.TermChanges, count.LeaderChanges);
    }
}
