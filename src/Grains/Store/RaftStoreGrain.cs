using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Raft.Hosting;
using Orleans.Raft.Placement;

namespace Orleans.Raft.Store;

/// <summary>
/// The store's leader balancer (one activation per store, keyed by its name). Every
/// <see cref="RaftOptions.LeaderBalanceInterval"/> it reads each group's leader and, when <see cref="LeaderBalance"/>
/// says so, moves one group's leadership with the membership grain's graceful transfer; a reminder reactivates it on
/// another silo if its own dies. It leaves alone any group with a membership change or transfer under way
/// (self-repair, member add or remove, a drain) and never moves leadership onto a node being drained.
/// </summary>
[Reentrant]
public sealed class RaftStoreGrain(
    IOptions<RaftOptions> options,
    RaftGroupLayout layout,
    RaftNodeLocator nodes,
    TimeProvider timeProvider,
    ILogger<RaftStoreGrain> logger) : Grain, IRaftStoreGrain, IRemindable
{
    private const string KeepAliveReminder = "store-balance-leaders";

    // A drain renews its mark before each group; one group's drain takes far less than this.
    private static readonly TimeSpan DrainMarkLifetime = TimeSpan.FromMinutes(10);

    private readonly RaftOptions _options = options.Value;
    private readonly Dictionary<string, long> _draining = new(StringComparer.Ordinal); // node -> when last marked
    private IGrainTimer? _timer;
    private bool _stepping;
    private (int Groups, string Node)? _registered; // the first node to check in since activation

    private string Store => this.GetPrimaryKeyString();

    /// <summary>Only the configured store, split over several groups, with balancing on.</summary>
    private bool Enabled => Store == layout.Store && layout.IsSharded && _options.LeaderBalanceInterval > TimeSpan.Zero;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            _timer = this.RegisterGrainTimer(async _ => await StepAsync(), new GrainTimerCreationOptions
            {
                DueTime = _options.LeaderBalanceInterval,
                Period = _options.LeaderBalanceInterval,
                Interleave = true,
                KeepAlive = true,
            });
            logger.BalancerActivated(Store, _options.LeaderBalanceInterval, RuntimeIdentity);
        }
        return Task.CompletedTask;
    }

    public async Task StartBalancing()
    {
        if (!Enabled) return;
        await this.RegisterOrUpdateReminder(KeepAliveReminder, _options.ReminderPeriod, _options.ReminderPeriod);
    }

    // Activation alone starts the timer.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task SetDraining(string node, bool draining)
    {
        var known = _draining.ContainsKey(node);
        if (draining) _draining[node] = timeProvider.GetTimestamp();
        else _draining.Remove(node);
        if (known != draining) logger.NodeDraining(Store, node, draining ? "being drained: no leadership moves onto it" : "no longer being drained");
        return Task.CompletedTask;
    }

    public Task<string?> BalanceLeaders() => StepAsync();

    public async Task<string?> CheckGroups(string node, int groups)
    {
        string Mismatch(string evidence) =>
            $"node '{node}' was started with {groups} group{(groups == 1 ? "" : "s")}, but store '{Store}' {evidence}: the number of groups decides " +
            "which group holds each key, so it is fixed when a cluster is created. Start the node with the --groups the other nodes have";

        if (_registered is { } first && first.Groups != groups) return Mismatch($"has {first.Groups} (node '{first.Node}' was started with them)");
        async Task<bool> Exists(string group) => (await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers()).Length > 0;
        if (groups == 1 && await Exists($"{Store}-0")) return Mismatch($"is split over several groups ({Store}-0 has replicas)");
        if (groups > 1 && await Exists(Store)) return Mismatch("is one group (a group of that name has replicas)");
        if (groups > 1 && await Exists($"{Store}-{groups}")) return Mismatch($"has more groups than that ({Store}-{groups} has replicas)");
        _registered ??= (groups, node);
        return null;
    }

    private async Task<string?> StepAsync()
    {
        if (!Enabled || _stepping) return null;
        _stepping = true;
        try
        {
            return await BalanceOnceAsync();
        }
        finally
        {
            _stepping = false;
        }
    }

    private async Task<string?> BalanceOnceAsync()
    {
        foreach (var (node, since) in _draining.ToList())
        {
            if (timeProvider.GetElapsedTime(since) > DrainMarkLifetime) _draining.Remove(node);
        }
        var groups = await Task.WhenAll(layout.Groups.Select(ReadAsync));
        if (groups.FirstOrDefault(g => g is null || g.Leader is null) is { } leaderless)
        {
            logger.BalancingSkipped(Store, $"group {leaderless.Group} has no leader that answers");
            return null;
        }
        var move = LeaderBalance.Choose(groups!, nodes.ActiveNodes(), _draining.Keys.ToHashSet(StringComparer.Ordinal));
        if (move is null) return null;
        logger.BalancingLeader(Store, move.From, move.FromCount, move.To, move.ToCount, move.High, move.Low, move.Group, move.Leader, move.Target);
        try
        {
            var outcome = $"{move.Group}: {await GrainFactory.GetGrain<IRaftMembershipGrain>(move.Group).TransferLeadership(move.Target)}";
            logger.BalancedLeader(Store, outcome);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.BalancingFailed(ex, Store, move.Group, move.Target);
            return $"{move.Group}: moving leadership to {move.Target} failed: {ex.Message}";
        }
    }

    /// <summary>A group's leadership from its replicas' statuses; a group whose statuses cannot be read shows no leader.</summary>
    private async Task<GroupLeadership> ReadAsync(string group)
    {
        ReplicaStatus[] statuses;
        try
        {
            statuses = await GrainFactory.GetGrain<IKeyValueGatewayGrain>(group).GetStatus();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.GroupStatusFailed(ex, Store, group);
            return new GroupLeadership(group, null, null, [], null, Busy: true);
        }
        var preferred = layout.MembersOf(group).Select(m => ReplicaKey.SplitMember(m).Node).FirstOrDefault();
        var leader = statuses.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault();
        if (leader is null) return new GroupLeadership(group, null, null, [], preferred, Busy: true);
        var live = statuses.Where(s => s.IsLive).Select(s => s.Replica).ToHashSet(StringComparer.Ordinal);
        var voters = leader.Members
            .Select(ReplicaKey.SplitMember)
            .Where(m => m.Node is not null && live.Contains(m.Name))
            .Select(m => (m.Name, m.Node!))
            .ToArray();
        var busy = leader.ConfigChangePending || leader.LeadTransferee is not null || leader.Learners.Length > 0;
        return new GroupLeadership(group, leader.Replica, leader.Node, voters, preferred, busy);
    }
}
