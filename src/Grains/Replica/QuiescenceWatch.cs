using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;
using Orleans.Runtime;

namespace Orleans.Raft.Replica;

/// <summary>
/// This silo's quiesced replicas, and what wakes them that no message brings: the death of a node that holds a member of
/// their group (a follower's election timer is what notices a dead leader, and a quiesced one does not run), and a fault
/// injected into their group. Follows the cluster membership, so it costs nothing while nothing changes.
/// </summary>
public sealed class QuiescenceWatch(
    IGrainFactory grains,
    IClusterMembershipService membership,
    FaultInjectionState faults,
    ILogger<QuiescenceWatch> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Sleeper> _sleeping = new(StringComparer.Ordinal);

    private sealed record Sleeper(string Group, string[] Nodes);

    /// <summary>The replicas registered as quiesced.</summary>
    public int Count => _sleeping.Count;

    /// <summary>Registers a quiesced replica (its grain key) of group whose members live on nodes.</summary>
    public void Add(string replicaKey, string group, string[] nodes) => _sleeping[replicaKey] = new Sleeper(group, nodes);

    public void Remove(string replicaKey) => _sleeping.TryRemove(replicaKey, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        faults.Changed += OnFaultsChanged;
        try
        {
            var active = ActiveNodes(membership.CurrentSnapshot);
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var now = ActiveNodes(snapshot);
                // Gone, or a new silo for the node: a restarted node's replicas come back from its disk, as followers.
                foreach (var (node, silo) in active)
                {
                    if (now.TryGetValue(node, out var current) && current.Equals(silo)) continue;
                    var woken = Wake(s => s.Nodes.Contains(node), $"node {node} is down");
                    if (woken > 0) logger.WakingForDeadNode(node, woken);
                }
                active = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.QuiescenceWatchFailed(ex);
        }
        finally
        {
            faults.Changed -= OnFaultsChanged;
        }
    }

    private static Dictionary<string, SiloAddress> ActiveNodes(ClusterMembershipSnapshot snapshot)
    {
        var nodes = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || string.IsNullOrEmpty(member.Name)) continue;
            if (!nodes.TryGetValue(member.Name, out var found) || member.SiloAddress.Generation > found.Generation) nodes[member.Name] = member.SiloAddress;
        }
        return nodes;
    }

    private void OnFaultsChanged(FaultSnapshot previous, FaultSnapshot current)
    {
        foreach (var group in previous.Groups.Keys.Union(current.Groups.Keys))
        {
            if (Same(previous.Groups.GetValueOrDefault(group) ?? GroupFaults.None, current.Groups.GetValueOrDefault(group) ?? GroupFaults.None)) continue;
            var woken = Wake(s => s.Group == group, $"faults changed in group {group}");
            if (woken > 0) logger.WakingForFaults(group, woken);
        }
    }

    private static bool Same(GroupFaults a, GroupFaults b) =>
        a.DropRate == b.DropRate && a.MinDelay == b.MinDelay && a.MaxDelay == b.MaxDelay
        && a.Stopped.Order(StringComparer.Ordinal).SequenceEqual(b.Stopped.Order(StringComparer.Ordinal))
        && a.CutLinks.Order(StringComparer.Ordinal).SequenceEqual(b.CutLinks.Order(StringComparer.Ordinal))
        && a.Partitions.Count == b.Partitions.Count
        && a.Partitions.All(p => b.Partitions.TryGetValue(p.Key, out var other) && p.Value.Order(StringComparer.Ordinal).SequenceEqual(other.Order(StringComparer.Ordinal)));

    /// <summary>Wakes and forgets the registered replicas that match; returns how many.</summary>
    private int Wake(Func<Sleeper, bool> match, string reason)
    {
        var woken = 0;
        foreach (var (key, sleeper) in _sleeping)
        {
            if (!match(sleeper) || !_sleeping.TryRemove(key, out _)) continue;
            woken++;
            try
            {
                grains.GetGrain<IQuiescentReplicaGrain>(key).Wake(reason).Ignore();
            }
            catch (Exception ex)
            {
                logger.WakeFailed(ex, key);
            }
        }
        return woken;
    }
}
