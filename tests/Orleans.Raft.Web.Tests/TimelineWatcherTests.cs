using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Hosting;
using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

/// <summary>How the replicas' own reports of change become the console's timeline, without polling any status.</summary>
public sealed class TimelineWatcherTests
{
    private readonly ConsoleTimeline _timeline = new(TimeProvider.System);
    private readonly ReplicaEvents _events = new();

    private string[] Texts() => [.. _timeline.After(0).Events.Select(e => e.Text)];

    private async Task<TimelineWatcher> StartedAsync()
    {
        var watcher = new TimelineWatcher(_timeline, _events, new ServiceCollection().BuildServiceProvider());
        await watcher.StartAsync(CancellationToken.None);
        return watcher;
    }

    [Fact]
    public async Task A_leader_change_every_replica_here_reports_is_recorded_once_with_the_leader_before_it()
    {
        var watcher = await StartedAsync();
        foreach (var replica in new[] { "r1", "r2", "r3" }) _events.Raise(new ReplicaEvent(ReplicaEventKind.LeaderChanged, "g", replica, 1, "r1"));
        // The election that follows: the replicas first lose the leader, then learn the new one.
        foreach (var replica in new[] { "r2", "r3" }) _events.Raise(new ReplicaEvent(ReplicaEventKind.LeaderChanged, "g", replica, 2, Leader: null));
        foreach (var replica in new[] { "r1", "r2", "r3" }) _events.Raise(new ReplicaEvent(ReplicaEventKind.LeaderChanged, "g", replica, 2, "r2"));
        // A replica that was behind reports the old leader late: not news.
        _events.Raise(new ReplicaEvent(ReplicaEventKind.LeaderChanged, "g", "r4", 1, "r1"));

        Assert.Equal(["r1 leads (term 1)", "no leader (was r1, term 1); seen by r2 in term 2", "leader changed: r1 → r2 (term 2)"], Texts());
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Configurations_are_recorded_once_each_and_starts_and_stops_per_replica()
    {
        var watcher = await StartedAsync();
        _events.Raise(new ReplicaEvent(ReplicaEventKind.ConfigurationChanged, "g", "r1", 3, "r1", "voters r1, r2, r4"));
        _events.Raise(new ReplicaEvent(ReplicaEventKind.ConfigurationChanged, "g", "r2", 3, "r1", "voters r1, r2, r4"));
        _events.Raise(new ReplicaEvent(ReplicaEventKind.Stopped, "g", "r2", 3, Detail: "stopped by an operator"));
        _events.Raise(new ReplicaEvent(ReplicaEventKind.Started, "g", "r2", 3));

        Assert.Equal(["configuration: voters r1, r2, r4", "r2 stopped (stopped by an operator)", "r2 started (term 3)"], Texts());
        await watcher.StopAsync(CancellationToken.None);
        // Stopped: later reports are not recorded.
        _events.Raise(new ReplicaEvent(ReplicaEventKind.Started, "g", "r3", 3));
        Assert.Equal(3, Texts().Length);
    }
}
