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
        var missing = await StartGroupAsync(grainFactory, o.Group, o.Replicas, cancellationToken);
        foreach (var replica in missing)
        {
            logger.LogError(
                "Raft group {Group}: replica {Replica} has no stored state on the silo it was activated on, but its group exists. " +
                "It stays down rather than start with amnesia. Its data directory is not visible from this silo: give every silo " +
                "the same data directory (Raft:DataDirectory), or pin each replica to the silo that holds its disk.", o.Group, replica);
        }
        logger.LogInformation("Raft group {Group} started with replicas {Replicas}", o.Group, string.Join(", ", o.Replicas.Except(missing)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Starts every replica of a group: creates the group if no replica has stored state, and otherwise restarts the
    /// replicas from their stored state. A replica with no stored state in a group that exists is never created
    /// afresh: that would be a replica with amnesia, free to vote twice in a term. It happens when a replica is
    /// activated on a silo that cannot see its data directory; it stays down, and the error says why.
    /// </summary>
    /// <returns>The replicas left down for that reason.</returns>
    public static async Task<string[]> StartGroupAsync(IGrainFactory grainFactory, string group, string[] replicas, CancellationToken cancellationToken = default)
    {
        await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).Register(replicas).WaitAsync(cancellationToken);
        var grains = replicas.Select(r => grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, r))).ToArray();
        var statuses = await Task.WhenAll(grains.Select(g => g.GetStatus().WaitAsync(cancellationToken)));
        var groupExists = statuses.Any(s => s.HasStoredState);
        var missing = statuses.Where(s => groupExists && !s.HasStoredState).Select(s => s.Replica).ToArray();
        await Task.WhenAll(grains.Zip(statuses)
            .Where(p => !missing.Contains(p.Second.Replica))
            .Select(p => p.First.Start(groupExists ? [] : replicas).WaitAsync(cancellationToken)));
        return missing;
    }
}
