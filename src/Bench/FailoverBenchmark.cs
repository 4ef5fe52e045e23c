using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orleans.Raft.ClientApp;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// How long a three-node group takes to serve writes again after kill -9 of its leader's node. Each trial keeps one
/// writer going, kills the node whose replica leads, and times the kill to the first status report of a new leader and
/// to the first write acknowledged by a leader other than the dead one; then it restarts the node and waits until its
/// replica has caught up. Reports numbers; asserts nothing.
/// </summary>
internal static class FailoverBenchmark
{
    /// <summary>Writes acknowledged before the kill: the client, the gateway and the leader are warm and agree.</summary>
    private const int WarmWrites = 20;

    /// <summary>A write's own deadline: the gateway answers within Raft:RequestTimeout (5 s); the rest is the hop to it.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(6);

    /// <summary>A client's pause before it retries a failed write, so that a fast failure does not become a busy loop.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long the writes go on after the kill: past the dead silo's declared death (about 1.5 to 3 s with the silo's
    /// membership settings), when Orleans reacts to it, so that a second outage would show.
    /// </summary>
    private static readonly TimeSpan WatchAfterKill = TimeSpan.FromSeconds(5);

    /// <summary>Far beyond any failover: a trial that takes longer has found a bug, and the run stops there.</summary>
    private static readonly TimeSpan TrialTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static async Task<int> RunAsync(int trials, bool json, bool verbose, ClientIO io, CancellationToken cancellation)
    {
        var results = new List<FailoverTrial>();
        var load = LoadAtStart();
        await using (var cluster = new FailoverCluster())
        {
            try
            {
                await cluster.StartAsync(io.Error, verbose, cancellation);
                for (var trial = 1; trial <= trials; trial++)
                {
                    var result = await RunTrialAsync(cluster, trial, io.Error, cancellation);
                    results.Add(result);
                    var failed = result.FailedWrites > 0 ? $" ({I(result.FailedWrites)} failed: {string.Join("; ", result.Errors)})" : "";
                    await io.Error.WriteLineAsync(
                        $"trial {I(trial)}/{I(trials)}: killed {result.KilledNode} ({result.OldLeader} led term {I(result.OldTerm)}); " +
                        $"{result.NewLeader} leads term {I(result.NewTerm)} after {F(result.KillToLeaderMs)} ms; a write after {F(result.KillToWriteMs)} ms, " +
                        $"then at most {F(result.LongestStallAfterMs)} ms between writes{failed}");
                }
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                // Ctrl+C reaches the nodes too (one process group), so a restart under way may fail rather than be cancelled.
                await io.Error.WriteLineAsync("interrupted: stopping the nodes and redis-server");
                return ExitCodes.RequestFailed;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                await io.Error.WriteLineAsync($"error: {ClientContext.OneLine(ex.Message)}");
                return ExitCodes.RequestFailed;
            }
        }

        var write = LatencySummary.Of(results.Select(r => r.KillToWriteMs));
        var leader = LatencySummary.Of(results.Select(r => r.KillToLeaderMs));
        var stall = LatencySummary.Of(results.Select(r => r.LongestStallAfterMs));
        if (json)
        {
            await io.Out.WriteLineAsync(JsonSerializer.Serialize(new { cores = Environment.ProcessorCount, trials = results, killToLeader = leader, killToWrite = write, longestStallAfter = stall }, Json));
            return ExitCodes.Ok;
        }

        var perTrial = new Table { Title = new TableTitle("kill -9 of the leader's node: replica/term, ms from the kill") };
        foreach (var column in new[] { "trial", "killed", "leader", "next", "to leader", "to write", "stall", "failed" })
            perTrial.AddColumn(new TableColumn(column) { Alignment = column is "killed" or "leader" or "next" ? Justify.Left : Justify.Right });
        foreach (var r in results)
        {
            perTrial.AddRow(I(r.Trial), r.KilledNode, $"{r.OldLeader}/t{I(r.OldTerm)}", $"{r.NewLeader}/t{I(r.NewTerm)}",
                F(r.KillToLeaderMs), F(r.KillToWriteMs), F(r.LongestStallAfterMs), I(r.FailedWrites));
        }
        var summary = new Table { Title = new TableTitle($"{results.Count} trials, {Environment.ProcessorCount} cores{load}, ms") };
        foreach (var column in new[] { "from kill -9 to", "median", "p90", "max" })
            summary.AddColumn(new TableColumn(column) { Alignment = column == "from kill -9 to" ? Justify.Left : Justify.Right });
        summary.AddRow("a new leader", F(leader.Median), F(leader.P90), F(leader.Max));
        summary.AddRow("the first acknowledged write", F(write.Median), F(write.P90), F(write.Max));
        summary.AddRow("then the longest stall (to 5 s)", F(stall.Median), F(stall.P90), F(stall.Max));
        var console = Tables.Console(io.Out);
        console.Write(perTrial);
        console.Write(summary);
        return ExitCodes.Ok;
    }

    internal static async Task<FailoverTrial> RunTrialAsync(FailoverCluster cluster, int trial, TextWriter progress, CancellationToken cancellation)
    {
        var before = await WaitForSteadyGroupAsync(cluster, cancellation);
        using var stopTrial = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var writer = new Writer(cluster.Gateway, cluster.GatewayLoss, $"failover-{trial}");
        var writing = writer.RunAsync(stopTrial.Token);
        Task<(long At, ReplicaStatus Leader)>? newLeader = null;
        FailoverTrial result;
        try
        {
            await writer.WaitUntilAsync(w => w.Count(x => x.Response is not null) >= WarmWrites, "the writes before the kill", cancellation);

            var old = await LeaderAsync(cluster, cancellation);
            var victim = old.Node ?? throw new InvalidOperationException($"leader {old.Replica} is pinned to no node");
            var survivors = before.Where(s => s.Replica != old.Replica).Select(cluster.Replica).ToArray();

            var killed = Stopwatch.GetTimestamp();
            cluster.Node(victim).Kill();
            newLeader = WatchForLeaderAsync(survivors, old.CurrentTerm, stopTrial.Token);
            // The write in flight at the kill may have been committed by the dead leader, which then answered it; only a
            // write served by another replica shows the group serving again.
            var first = await writer.WaitForAsync(
                w => w.FirstOrDefault(x => x.End > killed && x.Response is { } r && r.ServedBy != old.Replica),
                $"write acknowledged after kill -9 of {victim}", cancellation);
            var (leaderAt, leader) = await newLeader;
            var watched = killed + (long)(WatchAfterKill.TotalSeconds * Stopwatch.Frequency);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), watched);
            if (left > TimeSpan.Zero) await Task.Delay(left, cancellation);

            var writes = writer.Writes;
            var failed = writes.Where(x => x.End > killed && x.Start < first.Start && x.Response is null).ToArray();
            var acknowledged = writes.Where(x => x.Response is not null && x.End >= first.End && x.End <= watched).Select(x => x.End).Append(watched).ToArray();
            var stall = acknowledged.Zip(acknowledged.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).DefaultIfEmpty().Max();
            result = new FailoverTrial(trial, victim, old.Replica, old.CurrentTerm, leader.Replica, leader.CurrentTerm,
                Ms(Stopwatch.GetElapsedTime(killed, leaderAt)), Ms(Stopwatch.GetElapsedTime(killed, first.End)), Ms(stall),
                failed.Length, [.. failed.Select(x => x.Error!).Distinct()]);
        }
        finally
        {
            await stopTrial.CancelAsync();
            await writing;
            // Done, or abandoned when the trial failed.
            newLeader?.Ignore();
        }

        await progress.WriteLineAsync($"trial {trial}: restarting {result.KilledNode}...");
        await cluster.Node(result.KilledNode).RestartAsync();
        return result;
    }

    /// <summary>Every replica live, one leader, and each replica has applied what the leader has committed (no writes run meanwhile).</summary>
    internal static Task<ReplicaStatus[]> WaitForSteadyGroupAsync(FailoverCluster cluster, CancellationToken cancellation) =>
        UntilAsync(async () =>
        {
            var all = await cluster.Gateway.GetStatus();
            var leader = all.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm);
            var steady = all.Length == FailoverCluster.Nodes.Length && leader is not null &&
                all.All(s => s.IsLive && s.CurrentTerm == leader.CurrentTerm && s.LastApplied >= leader.CommitIndex);
            return steady ? all : null;
        }, SettleTimeout, "every replica to run and catch up with the leader", cancellation);

    private static Task<ReplicaStatus> LeaderAsync(FailoverCluster cluster, CancellationToken cancellation) =>
        UntilAsync(async () => (await cluster.Gateway.GetStatus()).Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm),
            SettleTimeout, "a leader", cancellation);

    /// <summary>Asks the survivors directly (the gateway's status would wait for the dead one) until one leads a later term.</summary>
    private static async Task<(long At, ReplicaStatus Leader)> WatchForLeaderAsync(IRaftReplicaGrain[] survivors, long oldTerm, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(TrialTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var answers = await Task.WhenAll(survivors.Select(async r =>
            {
                try
                {
                    return await r.GetStatus().WaitAsync(TimeSpan.FromSeconds(1), cancellation);
                }
                catch (Exception) when (!cancellation.IsCancellationRequested)
                {
                    return null;
                }
            }));
            var at = Stopwatch.GetTimestamp();
            if (answers.FirstOrDefault(s => s is { Role: ReplicaRole.Leader } && s.CurrentTerm > oldTerm) is { } leader) return (at, leader);
            await Task.Delay(PollInterval, cancellation);
        }
        throw new TimeoutException($"no surviving replica reported itself leader of a term after {oldTerm} within {TrialTimeout.TotalSeconds} s");
    }

    /// <summary>Calls the probe until it returns a value; a call that fails while the cluster settles is tried again.</summary>
    internal static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken cancellation) where T : class
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Exception? last = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                if (await probe().WaitAsync(TimeSpan.FromSeconds(10), cancellation) is { } value) return value;
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                last = ex;
            }
            await Task.Delay(100, cancellation);
        }
        throw new TimeoutException($"gave up waiting for {what} after {timeout.TotalSeconds} s{(last is null ? "" : $" (last error: {last.Message})")}");
    }

    /// <summary>", load average N" from /proc/loadavg where there is one: the machine may be shared, and the numbers depend on it.</summary>
    internal static string LoadAtStart() => LoadAverage.Now() is var load && load != "?" ? $", load average {load} at the start" : "";

    /// <summary>Milliseconds to a tenth: the clock and the polls are no finer than that.</summary>
    private static double Ms(TimeSpan t) => Math.Round(t.TotalMilliseconds, 1);

    private static string F(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>One write: when it was sent and answered, and the answer, or why there was none.</summary>
    private sealed record Write(long Start, long End, KvResponse? Response, string? Error);

    /// <summary>
    /// Sequential writes, each to a new key. An attempt that fails, times out, or was in flight when a gateway connection
    /// closed is tried again (setting a key to the same value twice does no harm): Orleans would leave a request on a
    /// dead gateway waiting for its 30 s response timeout, where etcd's client fails it when its connection drops.
    /// </summary>
    private sealed class Writer(IKeyValueGatewayGrain gateway, GatewayLossSignal gatewayLoss, string prefix)
    {
        private readonly List<Write> _writes = [];

        /// <summary>Every attempt so far, in order.</summary>
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
                    while (!await TryAsync($"{prefix}-{i}", stop)) await Task.Delay(RetryPause, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped.
            }
        }

        private async Task<bool> TryAsync(string key, CancellationToken stop)
        {
            var lost = gatewayLoss.Next;
            var start = Stopwatch.GetTimestamp();
            var call = gateway.Set(key, "v");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(WriteTimeout);
            Write write;
            try
            {
                if (await Task.WhenAny(call, lost, Task.Delay(Timeout.Infinite, timeout.Token)) != call)
                {
                    stop.ThrowIfCancellationRequested();
                    call.Ignore();
                    var why = lost.IsCompleted ? "a gateway connection closed while it was in flight" : $"no answer within {WriteTimeout.TotalSeconds} s";
                    write = new Write(start, Stopwatch.GetTimestamp(), null, why);
                }
                else
                {
                    var response = await call;
                    write = response.IsSuccess
                        ? new Write(start, Stopwatch.GetTimestamp(), response, null)
                        : new Write(start, Stopwatch.GetTimestamp(), null, $"{response.Status}: {response.Error}");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                write = new Write(start, Stopwatch.GetTimestamp(), null, $"{ex.GetType().Name}: {ClusterConnection.Describe(ex)}");
            }
            lock (_writes) _writes.Add(write);
            return write.Response is not null;
        }

        /// <summary>Waits until the condition on the writes so far gives a value; the times come from the writes, not from this wait.</summary>
        public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<Write>, T?> condition, string what, CancellationToken cancellation) where T : class
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(TrialTimeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (condition(Writes) is { } value) return value;
                await Task.Delay(PollInterval, cancellation);
            }
            var last = Writes.LastOrDefault(w => w.Error is not null)?.Error;
            throw new TimeoutException($"no {what} within {TrialTimeout.TotalSeconds} s{(last is null ? "" : $" (last error: {last})")}");
        }

        public Task WaitUntilAsync(Func<IReadOnlyList<Write>, bool> condition, string what, CancellationToken cancellation) =>
            WaitForAsync(w => condition(w) ? "" : null, what, cancellation);
    }
}
