namespace Orleans.Raft;

/// <summary>
/// The retry loop the gateway and a replica's forwarding path share: attempts run until one answers or the deadline
/// passes, pausing a tick between attempts that need an election to settle.
/// </summary>
internal static class RetryUntilDeadline
{
    /// <summary>
    /// Runs <paramref name="attempt"/> with the time left until it answers; null when the deadline passed first, or
    /// an attempt threw <see cref="TimeoutException"/> (it waited out the time it was given).
    /// </summary>
    public static async Task<T?> RunAsync<T>(TimeProvider time, TimeSpan timeout, TimeSpan pause, Func<TimeSpan, Task<RetryStep<T>>> attempt)
        where T : class
    {
        var started = time.GetTimestamp();
        TimeSpan Remaining() => timeout - time.GetElapsedTime(started);
        while (Remaining() > TimeSpan.Zero)
        {
            RetryStep<T> step;
            try
            {
                step = await attempt(Remaining());
            }
            catch (TimeoutException)
            {
                return null;
            }
            if (step.Done) return step.Result;
            if (!step.Pause) continue;
            var wait = Remaining() < pause ? Remaining() : pause;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time);
        }
        return null;
    }
}
