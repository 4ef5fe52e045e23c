using System.Diagnostics;
using System.Globalization;

namespace Orleans.Raft.Bench;

/// <summary>
/// kill -9 of the etcd leader's member, timed as FailoverBenchmark times Orleans.Raft's: one sequential writer keeps
/// going (pinned to one member, and on any failure moving to the next, as etcd's client does), the leader's member is
/// killed, and the trial times the kill to the first status report of a new leader and to the first write answered in
/// a later term than the dead leader's; it watches the writes for 5 s after the kill, then restarts the member from
/// its data directory and waits until all three agree again.
/// </summary>
internal static class EtcdFailover
{
    private const int WarmWrites = 20;

    /// <summary>
    /// An attempt's own deadline, short: a follower forwards a put to the leader it knows and answers only once the
    /// entry applies; when that leader has died the proposal is lost, and etcd fails the request only at its 7 s
    /// request timeout. A client that wants to fail over tries again sooner, and the time to the first write then
    /// includes up to this much of the client's own waiting. A sequential put takes a few milliseconds here, so a
    /// healthy one is rarely abandoned; setting a key to the same value twice does no harm.
    /// </summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan WatchAfterKill = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TrialTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    public static async Task<FailoverTrial> RunTrialAsync(EtcdCluster cluster, EtcdBenchTarget target, int trial, TextWriter progress, CancellationToken cancellation)
    {
        var (before, oldLeader) = await WaitForSteadyAsync(cluster, target, cancellation);
        var victim = cluster.Members.Single(m => before[m.Name].MemberId == oldLeader.MemberId);
        var names = cluster.Members.ToDictionary(m => before[m.Name].MemberId, m => m.Name);
        using var stopTrial = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var writer = new Writer(target, $"failover-{trial.ToString(CultureInfo.InvariantCulture)}");
        var writing = writer.RunAsync(stopTrial.Token);
        Task<(long At, EtcdStatus Leader)>? newLeader = null;
        FailoverTrial result;
        try
        {
            await WaitForAsync(() => writer.Writes.Count(w => w.Ok) >= WarmWrites ? "" : null, "the writes before the kill", cancellation);
            var survivors = cluster.Members.Where(m => m != victim).Select(m => m.ClientUrl).ToArray();
            var killed = Stopwatch.GetTimestamp();
            victim.Kill();
            newLeader = WatchForLeaderAsync(target, survivors, oldLeader, stopTrial.Token);
            var first = await WaitForAsync(() => writer.Writes.FirstOrDefault(w => w.End > killed && w.Ok && w.RaftTerm > oldLeader.RaftTerm),
                $"a write acknowledged after kill -9 of {victim.Name}", cancellation);
            var (leaderAt, leader) = await newLeader;
            var watched = killed + (long)(WatchAfterKill.TotalSeconds * Stopwatch.Frequency);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), watched);
            if (left > TimeSpan.Zero) await Task.Delay(left, cancellation);

            var writes = writer.Writes;
            var failed = writes.Where(w => w.End > killed && w.Start < first.Start && !w.Ok).ToArray();
            var acknowledged = writes.Where(w => w.Ok && w.End >= first.End && w.End <= watched).Select(w => w.End).Append(watched).ToArray();
            var stall = acknowledged.Zip(acknowledged.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).DefaultIfEmpty().Max();
            result = new FailoverTrial(trial, victim.Name, victim.Name, oldLeader.RaftTerm, names.GetValueOrDefault(leader.Leader!, leader.Leader!), leader.RaftTerm,
                Ms(Stopwatch.GetElapsedTime(killed, leaderAt)), Ms(Stopwatch.GetElapsedTime(killed, first.End)), Ms(stall),
                failed.Length, [.. failed.Select(w => w.Error!).Distinct()]);
        }
        finally
        {
            await stopTrial.CancelAsync();
            await writing;
            newLeader?.Ignore();
        }

        await progress.WriteLineAsync($"trial {trial.ToString(CultureInfo.InvariantCulture)}: restarting {victim.Name}...");
        victim.Restart();
        await EtcdCluster.WaitUntilHealthyAsync(victim, cancellation);
        return result;
    }

    /// <summary>All three members answer, agree on the leader and the term, and have applied what the leader has committed.</summary>
    public static async Task<(Dictionary<string, EtcdStatus> ByMember, EtcdStatus Leader)> WaitForSteadyAsync(EtcdCluster cluster, EtcdBenchTarget target, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(SettleTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var statuses = await Task.WhenAll(cluster.Members.Select(m => target.StatusAsync(m.ClientUrl, cancellation)));
            if (statuses.All(s => s is not null))
            {
                var all = statuses.Select(s => s!).ToArray();
                var leader = all.FirstOrDefault(s => s.Leader is not null && s.MemberId == s.Leader);
                if (leader is not null && all.All(s => s.Leader == leader.MemberId && s.RaftTerm == leader.RaftTerm && s.RaftAppliedIndex >= leader.RaftIndex))
                    return (cluster.Members.Zip(all).ToDictionary(p => p.First.Name, p => p.Second), leader);
            }
            await Task.Delay(100, cancellation);
        }
        throw new TimeoutException($"the etcd members did not agree on a leader and catch up within {SettleTimeout.TotalSeconds} s");
    }

    /// <summary>Asks the survivors until one reports a leader other than the dead one, in a later term.</summary>
    private static async Task<(long At, EtcdStatus Leader)> WatchForLeaderAsync(EtcdBenchTarget target, Uri[] survivors, EtcdStatus old, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(TrialTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var answers = await Task.WhenAll(survivors.Select(s => target.StatusAsync(s, cancellation)));
            var at = Stopwatch.GetTimestamp();
            if (answers.FirstOrDefault(s => s is not null && s.Leader is not null && s.Leader != old.MemberId && s.RaftTerm > old.RaftTerm) is { } leader) return (at, leader);
            await Task.Delay(PollInterval, cancellation);
        }
        throw new TimeoutException($"no surviving etcd member reported a new leader after term {old.RaftTerm} within {TrialTimeout.TotalSeconds} s");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> condition, string what, CancellationToken cancellation) where T : class
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(TrialTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (condition() is { } value) return value;
            await Task.Delay(PollInterval, cancellation);
        }
        throw new TimeoutException($"no {what} within {TrialTimeout.TotalSeconds} s");
    }

    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 1);

    private sealed record Write(long Start, long End, bool Ok, long RaftTerm, string? Error);

    /// <summary>Sequential puts, each to a new key, to one member at a time; a failed or timed-out attempt moves to the next member and is tried again.</summary>
    private sealed class Writer(EtcdBenchTarget target, string prefix)
    {
        private readonly List<Write> _writes = [];
        private int _endpoint;

        public IReadOnlyList<Write> Writes
        {
            get
            {
                lock (_writes) return [.. _writes];
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    var key = $"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}";
                    while (!await TryAsync(key, stop))
                    {
                        _endpoint = (_endpoint + 1) % target.Endpoints.Count;
                        await Task.Delay(RetryPause, stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped.
            }
        }

        private async Task<bool> TryAsync(string key, CancellationToken stop)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(WriteTimeout);
            var start = Stopwatch.GetTimestamp();
            Write write;
            try
            {
                var (outcome, term) = await target.PutAtAsync(target.Endpoints[_endpoint], key, "v", timeout.Token);
                write = new Write(start, Stopwatch.GetTimestamp(), outcome.Ok, term, outcome.Error);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                write = new Write(start, Stopwatch.GetTimestamp(), false, 0, $"no answer within {WriteTimeout.TotalMilliseconds} ms");
            }
            lock (_writes) _writes.Add(write);
            return write.Ok;
        }
    }
}
