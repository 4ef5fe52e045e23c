using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orleans.Raft.ClientApp;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// Planned leadership transfers under load: a three-node group (as 'failover' starts it), C clients each writing one key
/// after another through the gateways, and N graceful transfers (IRaftMembershipGrain.TransferLeadership), each to the
/// next replica in turn, with a pause between. Every request counts: a failed one is reported with its error, not
/// retried. Reports numbers; asserts nothing.
/// </summary>
internal static class TransferBenchmark
{
    /// <summary>A write's own deadline: the gateway answers within Raft:RequestTimeout (5 s); the rest is the hop to it.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(6);

    /// <summary>A client's pause after a failed write, so that a fast failure does not become a busy loop.</summary>
    private static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(10);

    /// <summary>Writes before the measured window: the clients, their sessions and the gateways are warm.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Between transfers, and after the last: the group serves under its new leader for a while.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static async Task<int> RunAsync(int transfers, int clients, bool json, bool verbose, ClientIO io, CancellationToken cancellation)
    {
        var load = FailoverBenchmark.LoadAtStart();
        var log = new RequestLog();
        var done = new List<TimedTransfer>();
        long windowStart, windowEnd;
        await using (var cluster = new FailoverCluster())
        {
            try
            {
                await cluster.StartAsync(io.Error, verbose, cancellation);
                var replicas = (await FailoverBenchmark.WaitForSteadyGroupAsync(cluster, cancellation)).Select(s => s.Replica).Order(StringComparer.Ordinal).ToArray();
                var membership = cluster.Client.GetGrain<IRaftMembershipGrain>(FailoverCluster.Group);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                var writers = Enumerable.Range(1, clients).Select(c => WriteAsync(cluster.Gateway, $"transfer-{c}", log, stop.Token)).ToArray();
                try
                {
                    await io.Error.WriteLineAsync($"{I(clients)} clients writing; warming up for {WarmUp.TotalSeconds:0.#} s...");
                    await Task.Delay(WarmUp, cancellation);
                    windowStart = Stopwatch.GetTimestamp();
                    for (var n = 1; n <= transfers; n++)
                    {
                        var leader = await FailoverBenchmark.UntilAsync(
                            async () => (await cluster.Gateway.GetStatus()).Where(s => s.IsLive && s.Role == ReplicaRole.Leader).MaxBy(s => s.CurrentTerm),
                            SettleTimeout, "a leader", cancellation);
                        var target = replicas[(Array.IndexOf(replicas, leader.Replica) + 1) % replicas.Length];
                        var started = Stopwatch.GetTimestamp();
                        string? error = null;
                        try
                        {
                            await membership.TransferLeadership(target);
                        }
                        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException or OrleansException)
                        {
                            error = ClientContext.OneLine(ex.Message);
                        }
                        var transfer = new TimedTransfer(n, leader.Replica, target, Ms(windowStart, started), Ms(windowStart, Stopwatch.GetTimestamp()), error);
                        done.Add(transfer);
                        var inFlight = log.Since(windowStart).Where(r => r.InFlightDuring(transfer.StartMs, transfer.EndMs)).ToArray();
                        await io.Error.WriteLineAsync(
                            $"transfer {I(n)}/{I(transfers)}: {transfer.From} -> {transfer.To} in {F(transfer.DurationMs)} ms" +
                            $"{(error is null ? "" : $", FAILED: {error}")}; {I(inFlight.Length)} requests in flight, {I(inFlight.Count(r => !r.Acknowledged))} failed");
                        await Task.Delay(Pause, cancellation);
                    }
                }
                finally
                {
                    // Each client finishes the write it has in flight: every request sent in the window is answered.
                    windowEnd = Stopwatch.GetTimestamp();
                    await stop.CancelAsync();
                    await Task.WhenAll(writers);
                }
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                await io.Error.WriteLineAsync("interrupted: stopping the nodes and redis-server");
                return ExitCodes.RequestFailed;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                await io.Error.WriteLineAsync($"error: {ClientContext.OneLine(ex.Message)}");
                return ExitCodes.RequestFailed;
            }
        }

        var requests = log.Since(windowStart).Where(r => r.StartMs < Ms(windowStart, windowEnd)).ToArray();
        var summary = TransferSummary.Of(requests, done, Ms(windowStart, windowEnd));
        if (json)
        {
            await io.Out.WriteLineAsync(JsonSerializer.Serialize(new { cores = Environment.ProcessorCount, clients, transfers = done, summary }, Json));
            return ExitCodes.Ok;
        }

        var perTransfer = new Table { Title = new TableTitle("planned leadership transfers, ms") };
        foreach (var column in new[] { "#", "from", "to", "took", "in flight", "failed", "slowest in flight" })
            perTransfer.AddColumn(new TableColumn(column) { Alignment = column is "from" or "to" ? Justify.Left : Justify.Right });
        foreach (var t in done)
        {
            var inFlight = requests.Where(r => r.InFlightDuring(t.StartMs, t.EndMs)).ToArray();
            perTransfer.AddRow(I(t.Number), t.From, t.To, t.Error is null ? F(t.DurationMs) : $"{F(t.DurationMs)} failed", I(inFlight.Length),
                I(inFlight.Count(r => !r.Acknowledged)), F(inFlight.Select(r => r.LatencyMs).DefaultIfEmpty().Max()));
        }
        var console = Tables.Console(io.Out);
        console.Write(perTransfer);
        console.Write(SummaryTable(summary, clients, done.Count, load));
        foreach (var t in done.Where(t => t.Error is not null)) await io.Out.WriteLineAsync($"transfer {I(t.Number)} failed: {t.Error}");
        foreach (var e in summary.Errors) await io.Out.WriteLineAsync($"{I(e.Count)} requests failed: {e.Error}");
        return ExitCodes.Ok;
    }

    /// <summary>The summary as one table, rows of what was measured: count, p50, p99, max.</summary>
    internal static Table SummaryTable(TransferSummary s, int clients, int transfers, string load)
    {
        var table = new Table
        {
            Title = new TableTitle($"{I(transfers)} transfers, {I(clients)} clients, {Environment.ProcessorCount} cores{load}"),
        };
        foreach (var column in new[] { "", "count", "p50", "p99", "max" })
            table.AddColumn(new TableColumn(column) { Alignment = column.Length == 0 ? Justify.Left : Justify.Right });
        void Row(string what, Percentiles p) => table.AddRow(what, I(p.Count), F(p.P50), F(p.P99), F(p.Max));
        Row("request latency, ms", s.Latency);
        Row("  of requests in flight during a transfer", s.DuringTransfers);
        Row("transfer duration, ms", s.TransferDurations);
        table.AddRow("failed transfers", I(s.FailedTransfers), "", "", "");
        table.AddRow("failed requests", I(s.Failed), "", "", "");
        table.AddRow("  of them in flight during a transfer", I(s.FailedDuringTransfers), "", "", "");
        table.AddRow("throughput, acknowledged writes/s", F(s.ThroughputPerSecond), "", "", "");
        table.AddRow("longest stall between acknowledged writes, ms", "", "", "", F(s.LongestStallMs));
        table.AddRow("  it overlapped a transfer", s.LongestStallDuringTransfer ? "yes" : "no", "", "", "");
        return table;
    }

    /// <summary>One closed-loop client: a write, its answer, the next write, each to a new key.</summary>
    private static async Task WriteAsync(IKeyValueGatewayGrain gateway, string prefix, RequestLog log, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                var response = await gateway.Set($"{prefix}-{i}", "v").WaitAsync(WriteTimeout, CancellationToken.None);
                error = response.IsSuccess ? null : $"{response.Status}: {response.Error}";
            }
            catch (TimeoutException)
            {
                error = $"no answer within {WriteTimeout.TotalSeconds} s";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = $"{ex.GetType().Name}: {ClusterConnection.Describe(ex)}";
            }
            log.Add(start, Stopwatch.GetTimestamp(), error);
            if (error is null) continue;
            try
            {
                await Task.Delay(FailurePause, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
    }

    private static double Ms(long from, long to) => Math.Round(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds, 1);

    private static string F(double value) => value.ToString("F0", CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every request of every client, on the Stopwatch clock.</summary>
    private sealed class RequestLog
    {
        private readonly List<(long Start, long End, string? Error)> _requests = [];

        public void Add(long start, long end, string? error)
        {
            lock (_requests) _requests.Add((start, end, error));
        }

        /// <summary>The requests sent from windowStart on, in ms from it.</summary>
        public TimedRequest[] Since(long windowStart)
        {
            lock (_requests)
            {
                return [.. _requests.Where(r => r.Start >= windowStart).Select(r => new TimedRequest(Ms(windowStart, r.Start), Ms(windowStart, r.End), r.Error))];
            }
        }
    }
}
