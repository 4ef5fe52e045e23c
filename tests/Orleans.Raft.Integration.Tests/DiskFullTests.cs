using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Integration.Tests;

/// <summary>A real SQLITE_FULL (the database capped with max_page_count) under a running group.</summary>
public sealed class DiskFullTests
{
    private static readonly string Big = new('x', 8192);

    [Fact]
    public async Task A_full_disk_neither_crashes_the_silo_nor_reloads_the_log_per_message_and_every_acknowledged_write_survives()
    {
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-full-{Guid.NewGuid():N}");
        var sqliteOptions = new SqliteRaftStorageOptions { DataDirectory = data };
        var sqlite = new SqliteRaftStorage(sqliteOptions);
        var storage = new CountingStorage(sqlite);
        using var host = await InProcessSilo.StartAsync(storage, "full");
        try
        {
            var acknowledged = new Dictionary<string, string>();
            var group = await StartGroupAsync(host, "full", acknowledged);

            // The disk is full from here on: the database may not grow by a single page.
            sqliteOptions.MaxPageCount = PageCount(sqlite.DatabasePath);
            KvResponse response;
            var n = 0;
            do
            {
                response = await group.Gateway.Set($"big{n}", Big);
                if (response.Status == KvStatus.Ok) acknowledged[$"big{n}"] = Big;
            }
            while (response.Status == KvStatus.Ok && ++n < 1000);
            Assert.NotEqual(KvStatus.Ok, response.Status);

            using (var stop = new CancellationTokenSource())
            {
                var load = WriteUntilStoppedAsync(group, acknowledged, stop.Token);
                await AssertCallsDoNotReopenOrReloadAsync(group, storage);
                await WaitForDiskFullAsync(group, sqlite.DatabasePath);
                await stop.CancelAsync();
                await load;
            }

            // Space frees up: the replicas come back by themselves, with everything acknowledged.
            sqliteOptions.MaxPageCount = null;
            await AssertRecoversWithEveryAcknowledgedWriteAsync(group, acknowledged);
            await RaftGroup.WaitForAsync(async () => (await group.StatusAsync()).All(s => s.Running && s.Error is null) ? "" : null, "every replica to run without error");
        }
        finally
        {
            await host.StopAsync();
            await sqlite.DisposeAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [TmpfsFact]
    public async Task On_a_really_full_disk_calls_to_a_failed_replica_do_not_each_reopen_its_store_and_reload_its_log()
    {
        var data = Path.Combine(Path.GetTempPath(), $"orleans-raft-tmpfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        TmpfsFactAttribute.Mount(data, "2m");
        var sqlite = new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = data });
        var storage = new CountingStorage(sqlite);
        using var host = await InProcessSilo.StartAsync(storage, "full");
        var filler = Path.Combine(data, "filler");
        try
        {
            var acknowledged = new Dictionary<string, string>();
            var group = await StartGroupAsync(host, "tmpfs", acknowledged);

            // Fill the file system: from here on every write SQLite makes (the log, a reopen's epoch bump) fails.
            Fill(filler);
            using (var stop = new CancellationTokenSource())
            {
                var load = WriteUntilStoppedAsync(group, acknowledged, stop.Token);
                await WaitForDiskFullAsync(group);
                await AssertCallsDoNotReopenOrReloadAsync(group, storage);
                await stop.CancelAsync();
                await load;
            }

            File.Delete(filler);
            await AssertRecoversWithEveryAcknowledgedWriteAsync(group, acknowledged);
        }
        finally
        {
            File.Delete(filler);
            await host.StopAsync();
            await sqlite.DisposeAsync();
            TmpfsFactAttribute.Unmount(data);
            Directory.Delete(data, recursive: true);
        }
    }


    /// <summary>A group of three with a leader and 20 acknowledged writes, recorded in <paramref name="acknowledged"/>.</summary>
    private static async Task<RaftGroup> StartGroupAsync(IHost host, string prefix, Dictionary<string, string> acknowledged)
    {
        var group = await RaftGroup.StartAsync(host.Services.GetRequiredService<IGrainFactory>(), size: 3, prefix: prefix);
        await group.WaitForLeaderAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"v{i}")).Status);
            acknowledged[$"k{i}"] = $"v{i}";
        }
        return group;
    }

    /// <summary>Writes that need space, until stopped; the acknowledged ones are recorded.</summary>
    private static Task WriteUntilStoppedAsync(RaftGroup group, Dictionary<string, string> acknowledged, CancellationToken stop) => Task.Run(async () =>
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var r = await group.Gateway.Set($"more{i}", Big);
            if (r.Status == KvStatus.Ok) acknowledged[$"more{i}"] = Big;
        }
    });

    /// <summary>Calls to failed replicas must not each reactivate one: an epoch bump and a full log reload.</summary>
    private static async Task AssertCallsDoNotReopenOrReloadAsync(RaftGroup group, CountingStorage storage)
    {
        var opens = storage.Opens;
        var loads = storage.Loads;
        const int calls = 300;
        for (var i = 0; i < calls / 3; i++)
        {
            foreach (var m in group.Members) await group.Replica(m).GetStatus();
        }
        Assert.True(storage.Opens - opens < calls / 10, $"{storage.Opens - opens} opens for {calls} calls to failed replicas");
        Assert.True(storage.Loads - loads < calls / 10, $"{storage.Loads - loads} log loads for {calls} calls to failed replicas");
    }

    private static Task WaitForDiskFullAsync(RaftGroup group, string? naming = null) => RaftGroup.WaitForAsync(async () =>
    {
        var statuses = await group.StatusAsync();
        return statuses.FirstOrDefault(s => s.Error?.Contains("disk full") == true && (naming is null || s.Error.Contains(naming)));
    }, "a replica to report the full disk");

    private static async Task AssertRecoversWithEveryAcknowledgedWriteAsync(RaftGroup group, Dictionary<string, string> acknowledged)
    {
        await group.WaitForLeaderAsync();
        await RaftGroup.WaitForAsync(async () =>
        {
            var r = await group.Gateway.Set("after", "1");
            return r.Status == KvStatus.Ok ? r : null;
        }, "a write after space freed up");
        foreach (var (key, value) in acknowledged) Assert.Equal(value, (await group.Gateway.Get(key)).Value);
    }

    private static void Fill(string path)
    {
        using var file = File.Create(path);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
        }
    }

    private static long PageCount(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        return (long)command.ExecuteScalar()!;
    }
}
