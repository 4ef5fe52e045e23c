using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Raft.Hosting;

/// <summary>Starts the configured group's replicas once the silo is up, so they run from the moment it starts.</summary>
public sealed class RaftGroupBootstrapper(
    IGrainFactory grainFactory,
    IOptions<RaftOptions> options,
    ILogger<RaftGroupBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.StartReplicas) return;
        await StartGroupAsync(grainFactory, o.Group, o.Replicas, cancellationToken);
        logger.LogInformation("Raft group {Group} started with replicas {Replicas}", o.Group, string.Join(", ", o.Replicas));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts (or confirms) every replica of a group.</summary>
    public static async Task StartGroupAsync(IGrainFactory grainFactory, string group, string[] replicas, CancellationToken cancellationToken = default)
    {
        await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).Register(replicas).WaitAsync(cancellationToken);
        await Task.WhenAll(replicas.Select(r =>
            grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, r)).Start(replicas).WaitAsync(cancellationToken)));
    }
}
