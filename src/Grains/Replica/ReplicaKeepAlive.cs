using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Raft.Hosting;
using Orleans.Runtime;

namespace Orleans.Raft.Replica;

/// <summary>
/// One keep-alive per node, for the replicas pinned to it, in place of a reminder per replica (a reminder tick each,
/// which with a thousand replicas a node cost more than all else an idle node did). What the reminder did:
/// <list type="bullet">
/// <item>kept the activation alive: a pinned replica now asks not to be collected when idle (a quiesced one has no timer);</item>
/// <item>reactivated a replica after its activation ended on error: this does it, an election timeout later;</item>
/// <item>restarted the replicas of a dead silo elsewhere: a pinned replica runs only on its node, whose start runs them all;</item>
/// <item>registered the group's configuration again, in case the directory grain's silo died: this does it for every
/// replica of the node, when a silo dies and once more a reminder period later.</item>
/// </list>
/// Replicas not pinned to a node keep their reminder. Nothing here runs while nothing changes.
/// </summary>
public sealed class ReplicaKeepAlive(
    IGrainFactory grains,
    IClusterMembershipService membership,
    IOptions<RaftOptions> options,
    TimeProvider time,
    ILogger<ReplicaKeepAlive> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Registration> _running = new(StringComparer.Ordinal);

    /// <summary>The configuration a running replica last registered in its group's directory.</summary>
    private sealed record Registration(string Group, string[] Members, long CommitIndex);

    /// <summary>Records what a running replica (its grain key) registered in its group's directory.</summary>
    public void Registered(string replicaKey, string group, string[] members, long commitIndex) =>
        _running[replicaKey] = new Registration(group, members, commitIndex);

    /// <summary>The replica stopped here: nothing of it to register again.</summary>
    public void Stopped(string replicaKey) => _running.TryRemove(replicaKey, out _);

    /// <summary>Activates the replica again an election timeout from now: its activation ended, but not its node.</summary>
    public void ReactivateLater(string replicaKey)
    {
        var o = options.Value;
        _ = Task.Delay(o.TickInterval * o.ElectionTicks, time).ContinueWith(_ =>
        {
            try
            {
                grains.GetGrain<IQuiescentReplicaGrain>(replicaKey).Wake("reactivated after its activation ended").Ignore();
            }
            catch (Exception ex)
            {
                logger.ReactivationFailed(ex, replicaKey);
            }
        }, TaskScheduler.Default);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var active = Active(membership.CurrentSnapshot);
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var now = Active(snapshot);
                var lost = active.Except(now).ToArray();
                active = now;
                if (lost.Length == 0) continue;
                // The directory grains of the lost silos come back empty on their next call: fill them again, now and once
                // more when the membership has surely settled.
                RegisterAll();
                _ = Task.Delay(options.Value.ReminderPeriod, time, stoppingToken).ContinueWith(_ => RegisterAll(), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.KeepAliveWatchFailed(ex);
        }
    }

    private static HashSet<SiloAddress> Active(ClusterMembershipSnapshot snapshot) =>
        [.. snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    /// <summary>Registers each group's configuration again, as the replica here that knows the highest commit index saw it.</summary>
    private void RegisterAll()
    {
        foreach (var latest in _running.Values.GroupBy(r => r.Group).Select(g => g.MaxBy(r => r.CommitIndex)!))
        {
            try
            {
                grains.GetGrain<IRaftGroupDirectoryGrain>(latest.Group).RegisterConfiguration(latest.Members, latest.CommitIndex).Ignore();
            }
            catch (Exception ex)
            {
                logger.DirectoryRegistrationFailed(ex, latest.Group);
            }
        }
    }
}
