using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Hosting;

/// <summary>
/// Starts the store's groups once the silo is up, so their replicas run from the moment it starts: every replica this
/// node's disk holds, and this node's replicas of groups not yet created. With several groups it also hands each new
/// group's leadership to its preferred (first) replica and starts the store's leader balancer.
/// </summary>
public sealed class RaftGroupBootstrapper(
    IGrainFactory grainFactory,
    IOptions<RaftOptions> options,
    RaftGroupLayout layout,
    IServiceProvider services,
    ILogger<RaftGroupBootstrapper> logger) : IHostedService
{
    // How long a node keeps asking the store to check its number of groups before it gives up starting.
    private static readonly TimeSpan GroupsCheckPatience = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stopping = new();
    private Task _creating = Task.CompletedTask;
    private Task _balancing = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (layout.LocalNode is not { } node)
        {
            // A silo that is no node (tests, in-process demos): storage every silo sees, replicas placed anywhere.
            if (!o.StartReplicas) return;
            foreach (var group in layout.Groups)
            {
                var members = layout.MembersOf(group);
                var missing = await StartGroupAsync(grainFactory, group, members, cancellationToken);
                foreach (var replica in missing) logger.ReplicaHasNoStoredState(group, replica);
                logger.GroupStarted(group, string.Join(", ", members.Except(missing)));
            }
            return;
        }

        // A node started with another number of groups than the store's would look for keys in the wrong groups.
        if (await CheckGroupsAsync(node, cancellationToken) is { } mismatch) throw new OrleansConfigurationException(mismatch);

        // A node starts every replica its disk holds, whatever the configuration says: they are its own.
        // Resolved here, not injected: a missing storage is reported by the options validator, which runs later.
        // Every group's replicas on this node share this one storage, and so its one writer and its group commit.
        var storage = services.GetRequiredService<IRaftStorage>();
        var stored = await storage.ListReplicasAsync(cancellationToken);
        foreach (var replica in stored)
        {
            if (ReplicaKey.SplitMember(replica.Replica).Node != node)
            {
                logger.StoredReplicaOfAnotherNode(replica.Group, replica.Replica, node);
                continue;
            }
            // A replica that joined stores the voters it joined, not itself.
            string[] members = replica.Members.Contains(replica.Replica) ? replica.Members : [.. replica.Members, replica.Replica];
            await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(replica.Group).Register(members).WaitAsync(cancellationToken);
            try
            {
                await grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(replica.Group, replica.Replica)).Start([]).WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Told by its peers that it was removed, it may retire between the listing and its start: gone from
                // the disk, it is no error of this node's. Any other failure still fails the start.
                var now = await storage.ListReplicasAsync(cancellationToken);
                if (now.Any(r => r.Group == replica.Group && r.Replica == replica.Replica)) throw;
                logger.StoredReplicaRetiredBeforeStart(ex, replica.Group, replica.Replica);
                continue;
            }
            logger.StoredReplicaStarted(replica.Group, replica.Replica);
        }

        var creating = new List<Task>();
        var local = 0;
        foreach (var group in layout.Groups)
        {
            var configured = layout.MembersOf(group);
            if (configured.Any(m => ReplicaKey.SplitMember(m).Node == node)) local++;
            var own = configured.Where(m => ReplicaKey.SplitMember(m).Node == node && !stored.Any(r => r.Group == group && r.Replica == m)).ToArray();
            if (!o.StartReplicas || own.Length == 0) continue;
            await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).Register(configured).WaitAsync(cancellationToken);
            // Peers on nodes still starting cannot answer yet: keep asking in the background, so the silo starts now.
            creating.Add(Task.Run(() => CreateOwnReplicasAsync(group, configured, own, _stopping.Token), CancellationToken.None));
        }
        _creating = Task.WhenAll(creating);
        logger.StoreLayout(layout.Store, layout.Shards.Count, layout.ReplicationFactor, string.Join(", ", layout.Nodes), local);
        if (layout.IsSharded && o.LeaderBalanceInterval > TimeSpan.Zero)
            _balancing = Task.Run(() => StartBalancerAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// The store's answer to this node's number of groups; null when it agrees. Asked until it answers: a node that
    /// started unchecked could serve keys from the wrong groups, and the store's grain may be on a node that has just died.
    /// </summary>
    private async Task<string?> CheckGroupsAsync(string node, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grainFactory.GetGrain<IRaftStoreGrain>(layout.Store).CheckGroups(node, layout.Shards.Count).WaitAsync(options.Value.RequestTimeout, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) >= GroupsCheckPatience)
                {
                    throw new OrleansConfigurationException(
                        $"node '{node}' could not check its {layout.Shards.Count} groups against store '{layout.Store}' for {GroupsCheckPatience.TotalSeconds:0} s " +
                        $"({ex.GetType().Name}: {ex.Message}); it does not start unchecked. Start it again once the other nodes are up", ex);
                }
                logger.GroupsNotChecked(ex, layout.Store, attempt);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Asks the store's balancer to run (it is one grain for the whole cluster; every node asks, the first wins).</summary>
    private async Task StartBalancerAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await grainFactory.GetGrain<IRaftStoreGrain>(layout.Store).StartBalancing().WaitAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.BalancerNotStarted(ex, layout.Store);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_creating, _balancing).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Creates this node's replicas of a new group once every other member has answered and none has made progress.
    /// If one has, the group exists and this node lost (or never had) its replicas' state: starting them empty would be
    /// amnesia, free to vote twice in a term, so they stay down until a membership change replaces them.
    /// </summary>
    private async Task CreateOwnReplicasAsync(string group, string[] members, string[] own, CancellationToken cancellationToken)
    {
        var others = members.Except(own).ToArray();
        var waitingLogged = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var answers = await Task.WhenAll(others.Select(async m =>
            {
                try
                {
                    return await grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, m)).GetStatus().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return null;
                }
            }));
            if (answers.FirstOrDefault(s => s is { HasStoredState: true, NeverProgressed: false }) is { } progressed)
            {
                foreach (var m in own)
                {
                    // A replica retired after its removal left no state, as one with amnesia would; the group says which.
                    if (answers.FirstOrDefault(s => s is not null && s.RemovedReplicas.Contains(m)) is { } told)
                        logger.OwnReplicaWasRemoved(group, ReplicaKey.NameOf(m), ReplicaKey.SplitMember(m).Node!, told.Replica);
                    else
                        logger.ReplicaWouldHaveAmnesia(group, ReplicaKey.NameOf(m), ReplicaKey.SplitMember(m).Node!, progressed.Replica);
                }
                return;
            }
            if (answers.All(s => s is not null))
            {
                await Task.WhenAll(own.Select(m => grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, m)).Start(members)));
                logger.GroupStarted(group, string.Join(", ", own));
                if (layout.IsSharded && own.Contains(members[0])) await PreferLeaderAsync(group, ReplicaKey.NameOf(members[0]), cancellationToken);
                return;
            }
            if (!waitingLogged)
            {
                var silent = others.Where((_, i) => answers[i] is null).Select(ReplicaKey.NameOf);
                logger.WaitingForPeersToCreateGroup(group, string.Join(", ", silent));
                waitingLogged = true;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Hands a new group's leadership to its first replica, so that leaders start out spread over the nodes as the first
    /// replicas are (<see cref="RaftGroupLayout.Assign"/>) rather than wherever the first election ended. Best effort:
    /// the leader balancer evens out what this leaves.
    /// </summary>
    private async Task PreferLeaderAsync(string group, string preferred, CancellationToken cancellationToken)
    {
        var gateway = grainFactory.GetGrain<IKeyValueGatewayGrain>(group);
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < PreferredLeaderPatience)
            {
                var leader = GroupSummary.From(group, await gateway.GetStatus().WaitAsync(cancellationToken)).Leader;
                if (leader == preferred) return;
                if (leader is not null)
                {
                    logger.PreferredLeaderTransfer(group, leader, preferred);
                    await gateway.TransferLeadership(preferred).WaitAsync(cancellationToken);
                    return;
                }
                await Task.Delay(options.Value.TickInterval * options.Value.ElectionTicks, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            logger.PreferredLeaderFailed(ex, group, preferred);
        }
    }

    private static readonly TimeSpan PreferredLeaderPatience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts every replica of a group: creates the group if no replica has stored state, and otherwise restarts the
    /// replicas from their stored state. A replica with no stored state in a group that has made progress is never
    /// created afresh: that would be a replica with amnesia, free to vote twice in a term. It happens when a replica is
    /// activated on a silo that cannot see its data directory; it stays down, and the error says why.
    /// </summary>
    /// <remarks>
    /// A creation interrupted by a crash (some replicas stored their members, some not) is completed while every
    /// replica with stored state still shows <see cref="ReplicaStatus.NeverProgressed"/>. Why that is safe: a replica's
    /// lost state matters only through a live peer that counted it, a candidate counting its vote or a leader counting
    /// its acknowledgement, and that peer persisted a term of at least 1 before asking. The replicas with state are read
    /// again after the missing ones were seen missing, so if all of them are still at term 0 with no vote and no log, no
    /// peer ever counted anything from the missing replica (a self-vote dies with the process that cast it), and it is
    /// indistinguishable from one never created. A replica that never progressed does not run until every member has
    /// stored its members (see <c>RaftReplicaGrain.Start</c>), so a half-created group stays at term 0 until it is completed.
    /// This assumes, as Raft does, that no majority loses its disks.
    /// </remarks>
    /// <returns>The replicas left down for that reason.</returns>
    public static async Task<string[]> StartGroupAsync(IGrainFactory grainFactory, string group, string[] replicas, CancellationToken cancellationToken = default)
    {
        await grainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).Register(replicas).WaitAsync(cancellationToken);
        var grains = replicas.Select(r => grainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, r))).ToArray();
        var statuses = await Task.WhenAll(grains.Select(g => g.GetStatus().WaitAsync(cancellationToken)));
        var absent = statuses.Where(s => !s.HasStoredState).Select(s => s.Replica).ToArray();
        var progressed = statuses.Any(s => s.HasStoredState && !s.NeverProgressed);
        if (!progressed && absent.Length > 0 && absent.Length < replicas.Length)
        {
            var again = await Task.WhenAll(grains.Zip(statuses)
                .Where(p => p.Second.HasStoredState)
                .Select(p => p.First.GetStatus().WaitAsync(cancellationToken)));
            progressed = again.Any(s => !s.HasStoredState || !s.NeverProgressed);
        }
        var missing = progressed ? absent : [];
        var running = grains.Zip(statuses).Where(p => !missing.Contains(p.Second.Replica)).Select(p => p.First).ToArray();
        await Task.WhenAll(running.Select(g => g.Start(progressed ? [] : replicas).WaitAsync(cancellationToken)));
        // A replica that stored its members before the others did waits for them; now they all have.
        if (!progressed) await Task.WhenAll(running.Select(g => g.Start(replicas).WaitAsync(cancellationToken)));
        return missing;
    }
}
