using Microsoft.Extensions.Logging;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Faults;

/// <summary>
/// Holds the cluster's faults and pushes every change to each silo's agent before the call returns, so a fault
/// holds everywhere once it is reported done. Its state is in memory: if its silo dies, every fault is healed.
/// </summary>
public sealed class FaultControlGrain(IServiceProvider services, RaftGroupLayout layout, ILogger<FaultControlGrain> logger) : Grain, IFaultControlGrain
{
    public const string Key = "cluster";

    private static readonly TimeSpan ObserverExpiry = FaultAgent.ResubscribePeriod * 4;
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, GroupFaults> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<IFaultObserver, DateTime> _observers = [];
    private long _version;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Versions must grow across activations, or silos would ignore a new activation's snapshots.
        _version = DateTime.UtcNow.Ticks;
        return Task.CompletedTask;
    }

    public async Task Split(string group, string partition, string[] replicas)
    {
        EnsureEnabled(group);
        if (!ReplicaKey.IsValidName(partition)) throw new ArgumentException($"'{partition}' is not a valid partition name");
        if (replicas.Length == 0) throw new ArgumentException("a partition needs at least one replica");
        await EnsureMembersAsync(group, replicas);
        await ChangeAsync(group, f => f with { Partitions = new(f.Partitions) { [partition] = [.. replicas.Distinct()] } });
        logger.PartitionSplit(group, partition, string.Join(",", replicas));
    }

    public async Task Join(string group, string partition)
    {
        EnsureEnabled(group);
        var faults = _groups.GetValueOrDefault(group) ?? GroupFaults.None;
        if (!faults.Partitions.ContainsKey(partition))
            throw new ArgumentException($"group '{group}' has no partition named '{partition}'");
        var partitions = new Dictionary<string, string[]>(faults.Partitions);
        partitions.Remove(partition);
        await ChangeAsync(group, f => f with { Partitions = partitions });
        logger.PartitionHealed(group, partition);
    }

    public async Task Cut(string group, string[] side, string[] otherSide)
    {
        EnsureEnabled(group);
        if (side.Length == 0 || otherSide.Length == 0) throw new ArgumentException("a cut needs replicas on both sides");
        if (side.Intersect(otherSide).FirstOrDefault() is { } both) throw new ArgumentException($"replica '{both}' is on both sides of the cut");
        await EnsureMembersAsync(group, side.Concat(otherSide));
        var links = side.SelectMany(a => otherSide.Select(b => GroupFaults.Link(a, b)));
        await ChangeAsync(group, f => f with { CutLinks = [.. f.CutLinks.Concat(links).Distinct().Order(StringComparer.Ordinal)] });
        logger.LinksCut(group, string.Join(",", side), string.Join(",", otherSide));
    }

    public async Task CutOneWay(string group, string[] from, string[] to)
    {
        EnsureEnabled(group);
        if (from.Length == 0 || to.Length == 0) throw new ArgumentException("a cut needs replicas on both sides");
        if (from.Intersect(to).FirstOrDefault() is { } both) throw new ArgumentException($"replica '{both}' is on both sides of the cut");
        await EnsureMembersAsync(group, from.Concat(to));
        var links = from.SelectMany(a => to.Select(b => GroupFaults.OneWayLink(a, b)));
        await ChangeAsync(group, f => f with { CutLinks = [.. f.CutLinks.Concat(links).Distinct().Order(StringComparer.Ordinal)] });
        logger.LinksCutOneWay(group, string.Join(",", from), string.Join(",", to));
    }

    public Task Heal(string group)
    {
        EnsureEnabled(group);
        return ChangeAsync(group, f => f with { Partitions = [], CutLinks = [], DropRate = 0, MinDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
    }

    public Task SetDropRate(string group, double rate)
    {
        EnsureEnabled(group);
        if (double.IsNaN(rate) || rate < 0 || rate > 1) throw new ArgumentException($"a drop rate is between 0 and 1, not {rate}");
        return ChangeAsync(group, f => f with { DropRate = rate });
    }

    public Task SetDelay(string group, TimeSpan min, TimeSpan max)
    {
        EnsureEnabled(group);
        if (min < TimeSpan.Zero || max < min || max > TimeSpan.FromMinutes(1))
            throw new ArgumentException($"a delay needs 0 <= min <= max <= 1 minute, not [{min}, {max}]");
        return ChangeAsync(group, f => f with { MinDelay = min, MaxDelay = max });
    }

    public async Task StopReplica(string group, string replica)
    {
        EnsureEnabled(group);
        await EnsureMembersAsync(group, [replica]);
        // Refuse its calls everywhere first, then drop its volatile state.
        await ChangeAsync(group, f => f with { Stopped = [.. f.Stopped.Append(replica).Distinct()] });
        await (await ReplicaGrainAsync(group, replica)).Stop();
    }

    public async Task StartReplica(string group, string replica, string[] members)
    {
        EnsureEnabled(group);
        if (!ReplicaKey.IsValidName(replica)) throw new ArgumentException($"'{replica}' is not a valid replica name");
        await ChangeAsync(group, f => f with { Stopped = [.. f.Stopped.Where(r => r != replica)] });
        await (await ReplicaGrainAsync(group, replica, members)).Start(members);
    }

    public Task<GroupFaults> GetFaults(string group) => Task.FromResult(_groups.GetValueOrDefault(group) ?? GroupFaults.None);

    public async Task Forget(string group)
    {
        if (_groups.Remove(group)) await PushAsync();
    }

    public Task<FaultSnapshot> Subscribe(IFaultObserver observer)
    {
        _observers[observer] = DateTime.UtcNow;
        return Task.FromResult(Snapshot());
    }

    private void EnsureEnabled(string group)
    {
        if (!services.IsRaftFaultInjectionEnabled()) throw new InvalidOperationException(FaultInjection.DisabledMessage);
        // Faults act between one group's replicas; a store of several groups is no group.
        if (layout.IsSharded && group == layout.Store) throw new ArgumentException(layout.NotAGroup("a fault"));
    }

    private async Task EnsureMembersAsync(string group, IEnumerable<string> replicas)
    {
        var members = (await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers()).Select(ReplicaKey.NameOf).ToArray();
        if (members.Length == 0) throw new ArgumentException($"unknown group '{group}': no replicas are registered");
        var unknown = replicas.Where(r => !members.Contains(r)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown replica{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} in group '{group}' (members: {string.Join(", ", members)})");
    }

    private async Task ChangeAsync(string group, Func<GroupFaults, GroupFaults> change)
    {
        var updated = change(_groups.GetValueOrDefault(group) ?? GroupFaults.None);
        if (updated.IsEmpty) _groups.Remove(group);
        else _groups[group] = updated;
        await PushAsync();
    }

    private async Task PushAsync()
    {
        _version++;
        var snapshot = Snapshot();
        var now = DateTime.UtcNow;
        foreach (var stale in _observers.Where(o => now - o.Value > ObserverExpiry).Select(o => o.Key).ToList()) _observers.Remove(stale);
        var pushes = _observers.Keys.Select(async o =>
        {
            try
            {
                await o.OnFaultsChanged(snapshot).WaitAsync(PushTimeout);
                return null;
            }
            catch (Exception ex)
            {
                logger.FaultPushFailed(ex);
                return o;
            }
        }).ToList();
        foreach (var failed in await Task.WhenAll(pushes))
        {
            if (failed is not null) _observers.Remove(failed);
        }
    }

    private FaultSnapshot Snapshot() => new() { Version = _version, Groups = new(_groups) };

    /// <summary>The grain of a replica named by its name: its member (with its node) from the given members or the directory.</summary>
    private async Task<IRaftReplicaGrain> ReplicaGrainAsync(string group, string replica, string[]? members = null)
    {
        var known = members is { Length: > 0 } ? members : await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers();
        return GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group, ReplicaKey.FindMember(known, replica) ?? replica));
    }
}
