using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// Fills the <see cref="ConsoleTimeline"/> with what changes in the cluster: leader and term changes, configuration
/// changes and replicas that stop or start, from the store's status read every <see cref="WebOptions.TimelinePollInterval"/>
/// (one status call per replica per interval, whatever the write load), and faults and heals as this silo's fault
/// state is told of them.
/// </summary>
public sealed class TimelineWatcher(
    IGrainFactory grains, RaftGroupLayout layout, ConsoleTimeline timeline, IOptions<WebOptions> web, IOptions<RaftOptions> raft,
    IServiceProvider services, ILogger<TimelineWatcher> logger) : BackgroundService
{
    private readonly Dictionary<string, (string? Leader, long? Term, string? Configuration)> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _live = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = web.Value.TimelinePollInterval;
        var faults = services.GetService<FaultInjectionState>();
        if (faults is not null) faults.Changed += OnFaultsChanged;
        try
        {
            if (interval <= TimeSpan.Zero) return;
            using var timer = new PeriodicTimer(interval);
            do
            {
                try
                {
                    var all = await grains.GetGrain<IKeyValueGatewayGrain>(layout.Store).GetStatus()
                        .WaitAsync(raft.Value.RequestTimeout + TimeSpan.FromSeconds(1), stoppingToken);
                    Observe(all);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The silo may be starting or the cluster busy: the next round tries again.
                    logger.TimelinePollFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<FaultInjectionState>() is { } faults) faults.Changed -= OnFaultsChanged;
        return base.StopAsync(cancellationToken);
    }

    /// <summary>Records what changed since the previous status; the first status of a group records its leader.</summary>
    internal void Observe(IReadOnlyCollection<ReplicaStatus> all)
    {
        foreach (var statuses in all.GroupBy(s => s.Group, StringComparer.Ordinal))
        {
            var group = statuses.Key;
            var summary = GroupSummary.From(group, [.. statuses]);
            var leading = statuses.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm);
            var configuration = leading is null ? null
                : $"voters {Names(leading.Members)}; learners {Names(leading.Learners)}";
            var seen = _groups.TryGetValue(group, out var before);
            if (summary.Leader is { } leader && (!seen || leader != before.Leader || summary.Term > before.Term))
            {
                timeline.Add("leader", group, seen
                    ? $"leader changed: {before.Leader ?? "none"} → {leader} (term {summary.Term})"
                    : $"{leader} leads (term {summary.Term})");
            }
            else if (summary.Leader is null && seen && before.Leader is not null)
            {
                timeline.Add("leader", group, $"no leader (was {before.Leader}, term {before.Term})");
            }
            if (seen && configuration is not null && before.Configuration is not null && configuration != before.Configuration)
                timeline.Add("membership", group, $"configuration: {configuration}");
            _groups[group] = (summary.Leader, summary.Term ?? before.Term, configuration ?? before.Configuration);

            foreach (var replica in statuses)
            {
                var key = $"{group}/{replica.Replica}";
                if (_live.TryGetValue(key, out var wasLive) && wasLive != replica.IsLive)
                {
                    timeline.Add("replica", group, replica.IsLive ? $"{replica.Replica} started"
                        : replica.Error is null ? $"{replica.Replica} stopped" : $"{replica.Replica} does not answer");
                }
                _live[key] = replica.IsLive;
            }
        }
    }

    private static string Names(string[] members) => members.Length == 0 ? "none" : string.Join(", ", members.Select(ReplicaKey.NameOf));

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
