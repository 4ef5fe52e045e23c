using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Consensus;
using Orleans.Raft.Storage;
using Orleans.Raft.TestSupport.Processes;
using Xunit.Abstractions;

namespace Orleans.Raft.Integration.Tests.MultiNode;

/// <summary>
/// Lost-fsync crashes (<see cref="PowerCut"/>): a node killed with -9 whose WAL is then cut back to what it had synced,
/// plus whatever part of the rest a disk may have kept. The cluster must lose no acknowledged write.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LostFsyncTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-lostfsync-").FullName;
    private readonly Dictionary<string, SiloProcess> _nodes = [];
    private RedisServer? _redis;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        _redis?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_power_cut_drops_the_frames_written_after_the_last_sync_and_keeps_every_synced_commit()
    {
        string live = Path.Combine(_data, "live"), crashed = Path.Combine(_data, "crashed"), intact = Path.Combine(_data, "intact");
        var storage = new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = live, RecordDurableWalLengthForTests = true });
        await using (storage)
        {
            var store = await storage.OpenAsync("g", "r1");
            await store.SaveAsync(null, [.. Enumerable.Range(1, 20).Select(i => new LogEntry(i, 1, LogEntryType.Command, [(byte)i]))]);

            // A commit the storage did not record as synced, as if the process died between its write and its fsync:
            // another connection, synchronous=OFF.
            using var unsynced = new SqliteConnection($"Data Source={storage.DatabasePath};Pooling=False");
            unsynced.Open();
            using (var command = unsynced.CreateCommand())
            {
                command.CommandText = "PRAGMA synchronous = OFF; INSERT INTO entries (grp, replica, idx, term, type, data) VALUES ('g', 'r1', 21, 1, 0, x'15');";
                command.ExecuteNonQuery();
            }

            // The files as a crash leaves them, both connections still open.
            foreach (var copy in new[] { crashed, intact })
            {
                Directory.CreateDirectory(copy);
                foreach (var suffix in new[] { "", "-wal", DurableWalRecorder.SidecarSuffix })
                    File.Copy(storage.DatabasePath + suffix, Path.Combine(copy, SqliteRaftStorageOptions.DatabaseFileName + suffix));
            }
        }

        var cut = PowerCut.Apply(crashed, new Random(1), keepNothingUnsynced: true);
        Assert.True(cut.Dropped > 0, $"the cut dropped nothing: {cut}");

        // Without the cut the unsynced commit is there (so this test can fail); after it, only the synced ones are.
        Assert.Equal(21, await EntriesAsync(intact));
        Assert.Equal(20, await EntriesAsync(crashed));
    }

    private static async Task<int> EntriesAsync(string directory)
    {
        await using var storage = new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = directory });
        var state = await (await storage.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(Enumerable.Range(1, state.Entries.Count).Select(i => (long)i), state.Entries.Select(e => e.Index));
        return state.Entries.Count;
    }

    // Snapshots carried only the newest 1,000 changes: once every node had restarted from one, a watch from the first
    // revision was told Compacted.
    [Fact]
    public async Task A_power_cut_of_each_node_in_turn_under_writes_loses_no_acknowledged_write_nor_any_change_a_watcher_can_resume_from()
    {
        await StartNodesAsync();
        using var client = await ClusterConnection.ConnectAsync(new GatewayList([.. _nodes.Values.Select(n => new GatewayEndpoint("127.0.0.1", n.GatewayPort))]), verbose: false);
        var gateway = client.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>("default");

        // More changes than a snapshot used to carry, over several snapshots (every 500 entries), before the cuts.
        await WaitForAsync(async () => (await gateway.Set("first", "1")).Status == KvStatus.Ok, "a first write");
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1500), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var response = await gateway.Set($"early{i}", $"v{i}");
            Assert.Equal(KvStatus.Ok, response.Status);
            acknowledged[$"early{i}"] = $"v{i}";
        });

        // Writes go on through every cut: the WAL has unsynced frames to lose when the kill comes.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var response = await gateway.Set($"k{i}", $"v{i}").WaitAsync(TimeSpan.FromSeconds(10));
                    if (response.Status == KvStatus.Ok) acknowledged[$"k{i}"] = $"v{i}";
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException)
                {
                    // Unknown outcome: not counted as acknowledged.
                }
            }
        });

        var random = new Random(17);
        var cuts = new List<PowerCutResult>();
        var before = acknowledged.Count;
        foreach (var name in Nodes)
        {
            await WaitForAsync(() => acknowledged.Count >= before + 50 * (cuts.Count + 1), "writes to be acknowledged");
            var node = _nodes[name];
            node.Kill();
            cuts.Add(PowerCut.Apply(Path.Combine(_data, name), random));
            output.WriteLine($"power cut of {name}: {cuts[^1]}");
            await node.RestartAsync();
            await WaitForAsync(async () =>
            {
                var all = await gateway.GetStatus();
                var leader = all.Where(s => s.Role == ReplicaRole.Leader && s.IsLive).MaxBy(s => s.CurrentTerm);
                var back = all.SingleOrDefault(s => s.Node == name);
                return leader is not null && back is { IsLive: true } && back.LastApplied >= leader.CommitIndex;
            }, $"{name}'s replica to run again and catch up");
        }
        await stop.CancelAsync();
        await writer;

        var lost = new List<string>();
        foreach (var (key, value) in acknowledged)
        {
            var got = await RaftGroup.WaitForAsync(async () =>
            {
                try
                {
                    var r = await gateway.Get(key);
                    return r.Status is KvStatus.Ok or KvStatus.NotFound ? r : null;
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException)
                {
                    return null;
                }
            }, $"a read of {key}");
            if (got.Value != value) lost.Add($"{key}: acknowledged {value}, read {got.Status} {got.Value}");
        }
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes lost after the cuts ({string.Join("; ", cuts)}): {string.Join("; ", lost.Take(10))}");
        Assert.True(acknowledged.Count >= 1650);
        output.WriteLine($"{acknowledged.Count} acknowledged writes, every one found");

        // Every replica has restarted from its own disk, most from a snapshot: a watch from the first revision still
        // gets every change, each acknowledged write among them.
        using var watching = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var unseen = new HashSet<string>(acknowledged.Keys);
        var events = 0;
        await foreach (var e in gateway.WatchResumingAsync("", "\0", 1, cancellationToken: watching.Token))
        {
            Assert.True(e.Type != KvWatchEventType.Compacted, $"a watch from revision 1 was told Compacted, the oldest kept {e.CompactRevision + 1}, after {events} changes");
            events++;
            if (e.Type == KvWatchEventType.Put && acknowledged.TryGetValue(e.Entry!.Key, out var value) && value == e.Entry.Value) unseen.Remove(e.Entry.Key);
            if (unseen.Count == 0) break;
        }
        Assert.Empty(unseen);
        output.WriteLine($"a watch from revision 1 gave {events} changes, every acknowledged write among them");
    }

    private async Task StartNodesAsync()
    {
        _redis = await RedisServer.StartAsync();
        var starts = Nodes.Select(n => SiloProcess.StartAsync(n,
        [
            "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
            "--node", n, "--initial-nodes", string.Join(",", Nodes), "--groups", "1", "--data", Path.Combine(_data, n),
            "--Raft:RecordDurableWalLengthForTests", "true", "--Raft:SnapshotEvery", "500",
        ])).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var s in starts.Where(s => s.IsCompletedSuccessfully)) _nodes[s.Result.Name] = s.Result;
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        await RaftGroup.WaitForAsync(async () =>
        {
            try
            {
                return await condition() ? "" : null;
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException or InvalidOperationException)
            {
                return null;
            }
        }, what);
    }
}
