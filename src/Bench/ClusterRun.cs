using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>
/// Runs a benchmark's work against node processes: Ctrl+C and the failures of a cluster that would not start or
/// settle end it with one line on stderr and a failure code, rather than a stack trace.
/// </summary>
internal static class ClusterRun
{
    /// <returns>Null when the work finished; else the exit code to return.</returns>
    public static async Task<int?> RunAsync(Func<Task> work, ClientIO io, CancellationToken cancellation)
    {
        try
        {
            await work();
            return null;
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            await io.Error.WriteLineAsync("interrupted: stopping the nodes and redis-server");
            return ExitCodes.RequestFailed;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException)
        {
            await io.Error.WriteLineAsync($"error: {ClientContext.OneLine(ex.Message)}");
            return ExitCodes.RequestFailed;
        }
    }
}
