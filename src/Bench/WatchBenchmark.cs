using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>
/// Watch throughput and delivery delay: writers put keys under a prefix as fast as they are acknowledged, and each
/// watcher of the prefix records when each revision reaches it. Reports numbers; asserts nothing, but counts what a
/// watcher missed or got twice or out of order.
/// </summary>
internal static class WatchBenchmark
{
    private const string Group = "bench";
    private const string Prefix = "w/";

    private sealed record Cell(int Writers, int Watchers, double PutsPerSecond, double EventsPerSecondPerWatcher, double CatchUpMs, Percentiles Delay, int Compacted, long Missed, long Duplicated, long OutOfOrder, long Errors);

    public static async Task<int> RunAsync(TimeSpan duration, int[] writerLevels, int[] watcherLevels, bool verbose, TextWriter output, CancellationToken cancellation)
    {
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-watch-bench-{Guid.NewGuid():N}");
        var cells = new List<Cell>();
        try
        {
            Console.Error.WriteLine($"starting an in-process cluster: one silo, group '{Group}' of 3 replicas, SQLite storage...");
            await using var cluster = await InProcessCluster.StartAsync(o =>
            {
                o.Group = Group;
                o.Replicas = ["r1", "r2", "r3"];
            }, verbose, configureSilo: silo => silo.UseSqliteRaftStorage(o => o.DataDirectory = data));
            await cluster.WaitForLeaderAsync(Group, TimeSpan.FromSeconds(30));
            var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>(Group);
            await MeasureAsync(gateway, 16, 1, TimeSpan.FromSeconds(2), cancellation); // warm up
            foreach (var watchers in watcherLevels)
            {
                foreach (var writers in writerLevels)
                {
                    var cell = await MeasureAsync(gateway, writers, watchers, duration, cancellation);
                    cells.Add(cell);
                    Console.Error.WriteLine($"  writers x{writers,-4} watchers x{watchers,-4}: {cell.PutsPerSecond,8:N0} puts/s, {cell.EventsPerSecondPerWatcher,8:N0} events/s per watcher");
                }
            }
        }
        finally
        {
            try
            {
                if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory.
            }
        }

        var table = new Table { Title = new TableTitle("watch: a 3-replica group on SQLite, one silo, watchers of the written prefix") };
        foreach (var column in new[] { "writers", "watchers", "puts/s", "events/s per watcher while writing", "all watchers", "catch-up after ms", "delay p50 ms", "delay p99 ms", "delay max ms", "told compacted", "missed", "twice", "out of order", "errors" })
            table.AddColumn(column);
        foreach (var c in cells)
        {
            table.AddRow(I(c.Writers), I(c.Watchers), F(c.PutsPerSecond, "F0"), F(c.EventsPerSecondPerWatcher, "F0"), F(c.EventsPerSecondPerWatcher * c.Watchers, "F0"), F(c.CatchUpMs, "F0"),
                F(c.Delay.P50, "F1"), F(c.Delay.P99, "F1"), F(c.Delay.Max, "F1"), I(c.Compacted), I(c.Missed), I(c.Duplicated), I(c.OutOfOrder), I(c.Errors));
        }
        var console = Tables.Console(output);
        console.Profile.Width = 240; // twelve columns: wider than a terminal's default when redirected
        console.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<Cell> MeasureAsync(IKeyValueGatewayGrain gateway, int writerCount, int watcherCount, TimeSpan duration, CancellationToken cancellation)
    {
        var value = new string('v', 100);
        var start = await gateway.Execute(KvRequest.Range(Prefix, KeyRange.PrefixEnd(Prefix), limit: 1, keysOnly: true));
        if (start.Status != KvStatus.Ok) throw new InvalidOperationException($"could not read the store's revision: {start.Error ?? start.Status.ToString()}");
        var from = start.Revision + 1;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var watchers = Enumerable.Range(0, watcherCount).Select(_ => new WatcherLog()).ToArray();
        var watching = watchers.Select(w => WatchAsync(gateway, from, w, stop.Token)).ToArray();

        var acked = new ConcurrentDictionary<long, long>(); // revision -> when its put was acknowledged
        long errors = 0;
        var clock = Stopwatch.StartNew();
        var writing = Enumerable.Range(0, writerCount).Select(async w =>
        {
            var i = 0;
            while (clock.Elapsed < duration && !cancellation.IsCancellationRequested)
            {
                var response = await gateway.Set($"{Prefix}{w}/{i++ % 64}", value);
                if (response.Status == KvStatus.Ok) acked[response.Revision] = Stopwatch.GetTimestamp();
                else Interlocked.Increment(ref errors);
            }
        }).ToArray();
        await Task.WhenAll(writing);
        var elapsed = clock.Elapsed;
        var writesEnded = Stopwatch.GetTimestamp();

        // Let the watchers catch up with the last acknowledged change, then stop them.
        var last = acked.Keys.DefaultIfEmpty(from - 1).Max();
        var caughtUp = Stopwatch.StartNew();
        while (watchers.Any(w => w.Highest < last && !w.Compacted) && caughtUp.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50, cancellation);
        await stop.CancelAsync();
        await Task.WhenAll(watching);

        var delays = new List<double>();
        long missed = 0, duplicated = 0, outOfOrder = 0;
        foreach (var w in watchers)
        {
            foreach (var (revision, ackedAt) in acked)
            {
                if (w.ReceivedAt.TryGetValue(revision, out var receivedAt)) delays.Add(Math.Max(0, Stopwatch.GetElapsedTime(ackedAt, receivedAt).TotalMilliseconds));
                else missed++;
            }
            duplicated += w.Duplicated;
            outOfOrder += w.OutOfOrder;
        }
        // Delivered while the writes went on: what a watcher keeps up with; the rest came after, while it caught up.
        var events = watchers.Sum(w => (double)w.ReceivedAt.Values.Count(at => at <= writesEnded)) / watcherCount;
        var lastReceived = watchers.SelectMany(w => w.ReceivedAt.Values).DefaultIfEmpty(writesEnded).Max();
        var catchUp = Math.Max(0, Stopwatch.GetElapsedTime(writesEnded, lastReceived).TotalMilliseconds);
        return new Cell(writerCount, watcherCount, acked.Count / elapsed.TotalSeconds, events / elapsed.TotalSeconds, catchUp, Percentiles.Of(delays), watchers.Count(w => w.Compacted), missed, duplicated, outOfOrder, errors);
    }

    private static async Task WatchAsync(IKeyValueGatewayGrain gateway, long from, WatcherLog log, CancellationToken stop)
    {
        try
        {
            await foreach (var change in gateway.WatchResumingAsync(Prefix, KeyRange.PrefixEnd(Prefix), from, cancellationToken: stop))
            {
                if (change.Type == KvWatchEventType.Compacted)
                {
                    // Fell further behind than the history reaches: counted, and its missed changes show in the table.
                    log.Compacted = true;
                    return;
                }
                log.Receive(change.Revision, Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>When each revision reached one watcher.</summary>
    private sealed class WatcherLog
    {
        private long _highest;

        public Dictionary<long, long> ReceivedAt { get; } = [];

        public long Duplicated { get; private set; }

        public long OutOfOrder { get; private set; }

        public long Highest => Volatile.Read(ref _highest);

        public volatile bool Compacted;

        public void Receive(long revision, long at)
        {
            if (!ReceivedAt.TryAdd(revision, at)) Duplicated++;
            if (revision < _highest) OutOfOrder++;
            else Volatile.Write(ref _highest, revision);
        }
    }
}
