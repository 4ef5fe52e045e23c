namespace Orleans.Raft.Silo;

/// <summary>Says at start which membership provider the silo uses, and what that means for its failures.</summary>
internal sealed class ClusterModeLog(ILogger<ClusterModeLog> logger, Action<ILogger> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
