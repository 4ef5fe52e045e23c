using System.Globalization;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// Fills the <see cref="ConsoleTimeline"/> with what changes in the cluster as this silo's replicas see it: leader and
/// term changes, configuration changes and replicas that stop or start, raised by the replicas in process as they happen
/// (<see cref="ReplicaEvents"/>: no status is polled, so idle and quiesced groups cost nothing), and faults and heals as
/// this silo's fault state is told of them. Several replicas of one group on this silo report one change once.
/// </summary>
public sealed class TimelineWatcher(ConsoleTimeline timeline, ReplicaEvents replicas, IServiceProvider services) : IHostedService
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string? Leader, long Term, string? Last)> _leaders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _configurations = new(StringComparer.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        replicas.Raised += Observe;
        if (services.GetService<FaultInjectionState>() is { } faults) faults.Changed += OnFaultsChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        replicas.Raised -= Observe;
        if (services.GetService<FaultInjectionState>() is { } faults) faults.Changed -= OnFaultsChanged;
        return Task.CompletedTask;
    }

    /// <summary>Records a replica's change, unless another replica of the group here already reported it.</summary>
    public void Observe(ReplicaEvent e)
    {
        lock (_lock)
        {
            switch (e.Kind)
            {
                case ReplicaEventKind.LeaderChanged when e.Leader is { } leader:
                    var known = _leaders.TryGetValue(e.Group, out var before);
                    if (known && before.Leader == leader && before.Term >= e.Term) return;
                    if (known && e.Term < before.Term) return; // a replica still catching up reports an older leader
                    _leaders[e.Group] = (leader, e.Term, leader);
                    timeline.Add("leader", e.Group, known && before.Last is { } last && last != leader
                        ? $"leader changed: {last} → {leader} (term {e.Term})"
                        : $"{leader} leads (term {e.Term})");
                    break;
                case ReplicaEventKind.LeaderChanged:
                    // An election began: the leader this silo knew is gone (recorded once, until a new one is known).
                    if (!_leaders.TryGetValue(e.Group, out var lost) || lost.Leader is null || e.Term < lost.Term) return;
                    _leaders[e.Group] = (null, e.Term, lost.Leader);
                    timeline.Add("leader", e.Group, $"no leader (was {lost.Leader}, term {lost.Term}); seen by {e.Replica} in term {e.Term}");
                    break;
                case ReplicaEventKind.ConfigurationChanged when e.Detail is { } configuration:
                    if (_configurations.TryGetValue(e.Group, out var was) && was == configuration) return;
                    _configurations[e.Group] = configuration;
                    timeline.Add("membership", e.Group, $"configuration: {configuration}");
                    break;
                case ReplicaEventKind.Started:
                    timeline.Add("replica", e.Group, $"{e.Replica} started (term {e.Term})");
                    break;
                case ReplicaEventKind.Stopped:
                    timeline.Add("replica", e.Group, $"{e.Replica} stopped ({e.Detail})");
                    break;
            }
        }
    }

    private void OnFaultsChanged(FaultSnapshot before, FaultSnapshot after)
    {
        foreach (var group in before.Groups.Keys.Union(after.Groups.Keys).Order(StringComparer.Ordinal))
        {
            var old = before.Groups.GetValueOrDefault(group) ?? GroupFaults.None;
            var now = after.Groups.GetValueOrDefault(group) ?? GroupFaults.None;
            foreach (var (name, members) in now.Partitions.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!old.Partitions.TryGetValue(name, out var was))
                    timeline.Add("fault", group, $"partition {name}: {string.Join(", ", members)} cut off from the rest");
                else if (!was.SequenceEqual(members))
                    timeline.Add("fault", group, $"partition {name} now holds {string.Join(", ", members)}");
            }
            foreach (var name in old.Partitions.Keys.Where(n => !now.Partitions.ContainsKey(n)).Order(StringComparer.Ordinal))
                timeline.Add("fault", group, $"partition {name} healed");
            foreach (var link in now.CutLinks.Except(old.CutLinks)) timeline.Add("fault", group, $"link {link} cut");
            foreach (var link in old.CutLinks.Except(now.CutLinks)) timeline.Add("fault", group, $"link {link} healed");
            if (now.DropRate != old.DropRate) timeline.Add("fault", group, $"message loss {(now.DropRate * 100).ToString("0.#", CultureInfo.InvariantCulture)}%");
            if (now.MinDelay != old.MinDelay || now.MaxDelay != old.MaxDelay)
                timeline.Add("fault", group, string.Create(CultureInfo.InvariantCulture, $"message delay {now.MinDelay.TotalMilliseconds}-{now.MaxDelay.TotalMilliseconds} ms"));
        }
    }
}
