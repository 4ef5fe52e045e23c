using Orleans.Raft.Bench;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Integration.Tests;

public sealed class DiskUsageTests
{
    [Fact]
    public async Task Disk_use_stays_bounded_under_an_endless_write_load()
    {
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-disk-{Guid.NewGuid():N}");
        try
        {
            await using var cluster = await InProcessCluster.StartAsync(o =>
            {
                o.Group = "disk";
                o.Replicas = ["r1", "r2", "r3"];
                o.SnapshotEvery = 200;
                o.SnapshotCatchUpEntries = 100;
                // Snapshots carry the watch history, which has a bound of its own (64 MiB by default, as large as this
                // whole test's writes): kept at its least here, so that what is measured is the log's compaction.
                o.WatchHistoryBytes = 1024 * 1024;
            }, configureSilo: silo => silo.UseSqliteRaftStorage(o => o.DataDirectory = data));
            await cluster.WaitForLeaderAsync("disk", TimeSpan.FromSeconds(60));
            var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>("disk");
            var value = new string('v', 2048);

            long DiskBytes() => new DirectoryInfo(data).EnumerateFiles().Sum(f => f.Length);
            var sizes = new List<long>();
            for (var round = 0; round < 12; round++)
            {
                // Each round writes ~1.2 MB of log per replica over the same 64 keys.
                await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
                {
                    for (var i = 0; i < 75; i++) Assert.Equal(KvStatus.Ok, (await gateway.Set($"k{(w * 75 + i) % 64}", value)).Status);
                }));
                sizes.Add(DiskBytes());
            }

            // 7 MB of writes per replica went in; the state is 64 keys. Without compaction the log alone would keep growing.
            var written = 12L * 600 * value.Length * 3;
            var files = string.Join(", ", new DirectoryInfo(data).EnumerateFiles().Select(f => $"{f.Name}={f.Length}"));
            Assert.True(sizes[^1] < written / 3, $"disk use {sizes[^1]} bytes ({files}) after writing {written} bytes of log; by round: {string.Join(", ", sizes)}");
            Assert.True(sizes[^1] <= sizes[3] * 2, $"disk use kept growing: {string.Join(", ", sizes)}");
            var status = await gateway.GetStatus();
            Assert.All(status, s => Assert.True(s.SnapshotIndex >= 7000, $"{s.Replica} compacted only to {s.SnapshotIndex}"));
        }
        finally
        {
            try
            {
                if (Environment.GetEnvironmentVariable("KEEP_DISK_TEST_DATA") is null) Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
