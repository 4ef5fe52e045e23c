using System.Collections.Concurrent;
using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// Watchers that run for the whole run, from the group's first revision, through
/// <see cref="GatewayWatchExtensions.WatchResumingAsync"/> so that they outlive gateways, replicas and silos; at the
/// end, each must have seen every acknowledged change in its range once and in order (<see cref="WatchCheck"/>).
/// </summary>
public sealed partial class NemesisRun
{
    private static readonly TimeSpan WatchCatchUp = TimeSpan.FromSeconds(30);

    private readonly List<Watcher> _watchers = [];

    private sealed class Watcher(string name, string group, string key, string? rangeEnd, Func<string, bool> inRange)
    {
        public string Name { get; } = name;
        public string Group { get; } = group;
        public string Key { get; } = key;
        public string? RangeEnd { get; } = rangeEnd;
        public Func<string, bool> InRange { get; } = inRange;
        public ConcurrentQueue<WatchCheck.Seen> Events { get; } = new();
        public long CompactedAt = -1;
        public string? Error;
        public Task Running { get; set; } = Task.CompletedTask;
    }

    /// <summary>
    /// Each group's keys in two watchers: one of every key, one of the prefix "k"; and the accounts' prefix in their
    /// group. Started before any write, from revision 1.
    /// </summary>
    private void StartWatchers(CancellationToken stop)
    {
        foreach (var group in Groups)
        {
            // A watch follows one group: the changes it must see are those of its range in that group.
            bool InGroup(string k) => _shards.GroupOf(k) == group;
            _watchers.Add(new Watcher($"{On(group)}all keys", group, "", KeyRange.AllFrom, InGroup));
            _watchers.Add(new Watcher($"{On(group)}prefix k", group, "k", KeyRange.PrefixEnd("k"), k => k.StartsWith('k') && InGroup(k)));
        }
        _watchers.Add(new Watcher($"{On(AccountGroup)}prefix {AccountTag}", AccountGroup, AccountTag, KeyRange.PrefixEnd(AccountTag),
            k => k.StartsWith(AccountTag, StringComparison.Ordinal)));
        foreach (var w in _watchers) w.Running = Task.Run(() => WatchAsync(w, stop));
    }

    private async Task WatchAsync(Watcher w, CancellationToken stop)
    {
        // The resuming watch ends only when cancelled or compacted; an exception here is a failure of the watch itself.
        try
        {
            var last = 0L;
            await foreach (var e in Gateway(w.Group).WatchResumingAsync(w.Key, w.RangeEnd, 1, cancellationToken: stop))
            {
                if (e.Type == KvWatchEventType.Compacted)
                {
                    w.CompactedAt = e.CompactRevision;
                    options.Log($"nemesis: watcher {w.Name} COMPACTED: asked for revision {last + 1}, the oldest kept is {e.CompactRevision + 1}");
                    return;
                }
                last = e.Revision;
                w.Events.Enqueue(new WatchCheck.Seen(e.Entry!.Key, e.Type == KvWatchEventType.Put ? e.Entry.Value : null, e.Revision));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            w.Error = $"{ex.GetType().Name}: {ex.Message}";
            options.Log($"nemesis: watcher {w.Name} failed: {w.Error}");
        }
    }

    /// <summary>Waits, up to <see cref="WatchCatchUp"/>, for every watcher to see every acknowledged change in its range.</summary>
    private async Task WaitForWatchersAsync(IReadOnlyList<HistoryOp> history)
    {
        var deadline = _clock.Elapsed + WatchCatchUp;
        while (_clock.Elapsed < deadline)
        {
            if (_watchers.All(w => w.Running.IsCompleted || WatchCheck.CaughtUp(history, w.Events, w.InRange))) return;
            await Task.Delay(100);
        }
        options.Log("nemesis: some watchers did not catch up; the check reports what they missed");
    }

    private List<WatchReport> CheckWatchers(IReadOnlyList<HistoryOp> history) => [.. _watchers.Select(w =>
    {
        var problems = new List<string>();
        if (w.CompactedAt >= 0)
            problems.Add($"told Compacted (oldest revision kept {w.CompactedAt + 1}) although the silos keep {NemesisCluster.WatchHistoryEvents:N0} events");
        if (w.Error is not null) problems.Add($"the watch failed: {w.Error}");
        problems.AddRange(WatchCheck.Problems(history, [.. w.Events.Where(e => !IsListKey(e.Key))], w.InRange));
        return new WatchReport(w.Name, w.Events.Count, w.CompactedAt >= 0, problems);
    })];
}
