using Microsoft.Data.Sqlite;
using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage.Tests;

/// <summary>What only the durable store has to show: durability, fencing across instances, group commit, crash recovery.</summary>
public sealed class SqliteRaftStorageTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<SqliteRaftStorage> _storages = [];

    public void Dispose()
    {
        foreach (var storage in _storages) storage.Dispose();
        _temp.Dispose();
    }

    private SqliteRaftStorage Open(string? directory = null)
    {
        var storage = new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = directory ?? _temp.Path });
        _storages.Add(storage);
        return storage;
    }

    private string DatabasePath => Path.Combine(_temp.Path, SqliteRaftStorageOptions.DatabaseFileName);

    private static LogEntry Entry(long index, long term, int size = 1) =>
        new(index, term, LogEntryType.Command, [.. Enumerable.Repeat((byte)index, size)]);

    /// <summary>A connection of our own to the database, as another process (or a crashing one) would have.</summary>
    private static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void The_options_default_to_a_data_directory_under_the_current_directory()
    {
        var options = new SqliteRaftStorageOptions();
        Assert.Equal("data", options.DataDirectory);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data", "raft.db"), options.DatabasePath);
    }

    [Fact]
    public async Task The_database_is_one_file_in_WAL_mode()
    {
        var storage = Open();
        await (await storage.OpenAsync("g", "r1")).SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);
        await (await storage.OpenAsync("g2", "r2")).SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);
        Assert.Equal(DatabasePath, storage.DatabasePath);
        Assert.True(File.Exists(DatabasePath));
        using var raw = Raw(DatabasePath);
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SqliteRaftStorage.SchemaVersion, command.ExecuteScalar());
    }

    [Fact]
    public async Task State_survives_closing_and_reopening_the_storage()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(new HardState(3, "r2", 2), [Entry(1, 1), Entry(2, 1), Entry(3, 3), Entry(4, 3)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [1, 2, 3]));
        await (await storage.OpenAsync("g", "r2")).SaveMembersAsync(["r1", "r2", "r3"]);
        await storage.DisposeAsync();

        var reopened = Open();
        var again = await reopened.OpenAsync("g", "r1");
        Assert.Equal(2, again.Epoch);
        var state = await again.LoadAsync();
        Assert.Equal(["r1", "r2", "r3"], state.Members);
        Assert.Equal(new HardState(3, "r2", 2), state.HardState);
        Assert.Equal((2L, 1L), (state.Snapshot!.Index, state.Snapshot.Term));
        Assert.Equal([1, 2, 3], state.Snapshot.Data);
        Assert.Equal([(3L, 3L), (4, 3)], state.Entries.Select(e => (e.Index, e.Term)));
        Assert.Equal([3, 4], state.Entries.Select(e => (int)e.Data[0]));
        Assert.Equal(["r1", "r2", "r3"], (await (await reopened.OpenAsync("g", "r2")).LoadAsync()).Members);

        // The old handle belongs to a closed storage.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.SaveAsync(null, [Entry(5, 3)]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.OpenAsync("g", "r1"));
    }

    [Fact]
    public async Task Disposing_commits_the_writes_already_queued()
    {
        var storage = Open();
        var stores = new List<IRaftReplicaStore>();
        for (var i = 0; i < 10; i++) stores.Add(await storage.OpenAsync("g", $"r{i}"));
        var writes = stores.Select(s => s.SaveAsync(new HardState(1, null, 0), [Entry(1, 1), Entry(2, 1)])).ToList();
        storage.Dispose();
        await Task.WhenAll(writes);

        var reopened = Open();
        for (var i = 0; i < 10; i++) Assert.Equal(2, (await (await reopened.OpenAsync("g", $"r{i}")).LoadAsync()).Entries.Count);
    }

    [Fact]
    public async Task A_stale_handle_is_refused_across_two_storages_on_the_same_file()
    {
        // Two storage objects on one file stand for two processes.
        var first = Open();
        var second = Open();
        var old = await first.OpenAsync("g", "r1");
        await old.SaveMembersAsync(["r1", "r2"]);
        await old.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);

        var current = await second.OpenAsync("g", "r1");
        Assert.Equal(old.Epoch + 1, current.Epoch);
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveAsync(new HardState(7, "r1", 0), [Entry(2, 7)]));
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveMembersAsync(["x"]));
        await Assert.ThrowsAsync<StaleEpochException>(() => old.SaveSnapshotAsync(new RaftSnapshot(1, 1, [])));
        await Assert.ThrowsAsync<StaleEpochException>(() => old.DeleteAsync());

        var state = await current.LoadAsync();
        Assert.Equal(["r1", "r2"], state.Members);
        Assert.Equal(new HardState(1, null, 0), state.HardState);
        Assert.Equal([1L], state.Entries.Select(e => e.Index));
        Assert.Null(state.Snapshot);

        await current.SaveAsync(new HardState(2, null, 0), [Entry(2, 2)]);
        var newest = await first.OpenAsync("g", "r1");
        Assert.Equal(current.Epoch + 1, newest.Epoch);
        Assert.Equal([1L, 2L], (await newest.LoadAsync()).Entries.Select(e => e.Term));
        await Assert.ThrowsAsync<StaleEpochException>(() => current.SaveAsync(null, [Entry(3, 2)]));
    }

    [Fact]
    public async Task Two_storages_on_the_same_file_can_write_at_the_same_time()
    {
        var first = Open();
        var second = Open();
        var stores = new List<IRaftReplicaStore>();
        for (var i = 0; i < 8; i++) stores.Add(await (i % 2 == 0 ? first : second).OpenAsync("g", $"r{i}"));

        await Task.WhenAll(stores.Select(async store =>
        {
            for (var index = 1; index <= 20; index++) await store.SaveAsync(new HardState(index, null, index - 1), [Entry(index, index)]);
        }));

        for (var i = 0; i < 8; i++)
        {
            var state = await (await first.OpenAsync("g", $"r{i}")).LoadAsync();
            Assert.Equal(20, state.HardState.CurrentTerm);
            Assert.Equal(Enumerable.Range(1, 20).Select(x => (long)x), state.Entries.Select(e => e.Index));
        }
    }

    [Fact]
    public async Task Concurrent_writes_share_one_commit_and_a_refused_one_fails_alone()
    {
        var storage = Open();
        var stores = new List<IRaftReplicaStore>();
        for (var i = 0; i < 50; i++) stores.Add(await storage.OpenAsync("g", $"r{i}"));
        var stale = await storage.OpenAsync("g", "fenced");
        await storage.OpenAsync("g", "fenced");

        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var batches = 0;
        storage.BeforeBatch = () =>
        {
            if (Interlocked.Increment(ref batches) != 1) return;
            entered.Release();
            release.Wait();
        };
        var commits = storage.Commits;
        var committedWrites = storage.CommittedWrites;

        // The first write wakes the writer, which then waits in the hook with nothing taken; the rest queue up behind it.
        var writes = new List<Task> { stores[0].SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]) };
        await entered.WaitAsync();
        writes.AddRange(stores.Skip(1).Select(s => s.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)])));
        var fenced = stale.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)]);
        var gap = stores[0].SaveAsync(null, [Entry(5, 1)]);
        release.Set();

        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<StaleEpochException>(() => fenced);
        await Assert.ThrowsAsync<InvalidOperationException>(() => gap);
        storage.BeforeBatch = null;

        Assert.Equal(50, storage.CommittedWrites - committedWrites);
        Assert.InRange(storage.Commits - commits, 1, 2);
        foreach (var store in stores) Assert.Equal([1L], (await store.LoadAsync()).Entries.Select(e => e.Index));
        Assert.Empty((await stale.LoadAsync()).Entries);
    }

    [Fact]
    public async Task A_write_cancelled_while_queued_is_not_applied()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(null, [Entry(1, 1)], new CancellationToken(canceled: true)));

        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        storage.BeforeBatch = () =>
        {
            entered.Release();
            release.Wait();
        };
        using var cancellation = new CancellationTokenSource();
        var write = store.SaveAsync(new HardState(1, null, 0), [Entry(1, 1)], cancellation.Token);
        await entered.WaitAsync();
        cancellation.Cancel();
        storage.BeforeBatch = null;
        release.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        var state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal(HardState.Empty, state.HardState);
    }

    [Fact]
    public async Task A_batch_of_entries_with_a_hole_is_refused()
    {
        var store = await Open().OpenAsync("g", "r1");
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(new HardState(1, null, 0), [Entry(1, 1), Entry(3, 1)]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(null, [Entry(1, 1), Entry(1, 1)]));
        var state = await store.LoadAsync();
        Assert.Empty(state.Entries);
        Assert.Equal(HardState.Empty, state.HardState);
    }

    [Fact]
    public async Task A_transaction_torn_by_a_crash_leaves_the_last_committed_state()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(new HardState(1, "r1", 1), [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        var wal = DatabasePath + "-wal";
        var committedWal = new FileInfo(wal).Length;

        // A writer that crashes mid-transaction: with a tiny page cache its changes spill into the WAL without a commit record.
        var crashed = _temp.Sub("crashed");
        using (var raw = Raw(DatabasePath))
        {
            Execute(raw, "PRAGMA cache_size = 2");
            using var transaction = raw.BeginTransaction();
            Execute(raw, "UPDATE replicas SET current_term = 99, voted_for = 'evil', members = '[]' WHERE grp = 'g' AND replica = 'r1'", transaction);
            Execute(raw, "DELETE FROM entries WHERE grp = 'g' AND replica = 'r1' AND idx = 2", transaction);
            using (var insert = raw.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO entries (grp, replica, idx, term, type, data) VALUES ('g', 'r1', $i, 9, 0, randomblob(3000))";
                var index = insert.Parameters.Add("$i", SqliteType.Integer);
                for (var i = 4; i < 200; i++)
                {
                    index.Value = i;
                    insert.ExecuteNonQuery();
                }
            }
            Assert.True(new FileInfo(wal).Length > committedWal, "the uncommitted transaction should have reached the WAL");

            // The disk as the crash leaves it (SQLite rebuilds the -shm index from the WAL).
            File.Copy(DatabasePath, Path.Combine(crashed, "raft.db"));
            File.Copy(wal, Path.Combine(crashed, "raft.db-wal"));
            // Disposing here rolls the transaction back; the copy never sees that.
        }

        var recovered = Open(crashed);
        var state = await (await recovered.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(["r1", "r2", "r3"], state.Members);
        Assert.Equal(new HardState(1, "r1", 1), state.HardState);
        Assert.Equal([(1L, 1L), (2, 1), (3, 1)], state.Entries.Select(e => (e.Index, e.Term)));

        // And the live store, whose neighbour rolled back, is unchanged too.
        Assert.Equal(3, (await store.LoadAsync()).Entries.Count);
    }

    [Fact]
    public async Task A_WAL_cut_off_in_the_middle_of_a_commit_loses_only_that_commit()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveAsync(new HardState(1, "r1", 1), [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        var wal = DatabasePath + "-wal";
        var before = new FileInfo(wal).Length;
        await store.SaveAsync(new HardState(2, "r2", 3), [.. Enumerable.Range(4, 10).Select(i => Entry(i, 2, size: 3000))]);
        var after = new FileInfo(wal).Length;
        Assert.True(after > before + 8192, "the second commit should span several WAL frames");

        // Power fails while the second commit's frames are being written: the tail of the WAL never reaches the disk.
        var crashed = _temp.Sub("crashed");
        File.Copy(DatabasePath, Path.Combine(crashed, "raft.db"));
        File.Copy(wal, Path.Combine(crashed, "raft.db-wal"));
        using (var tail = new FileStream(Path.Combine(crashed, "raft.db-wal"), FileMode.Open)) tail.SetLength(before + (after - before) / 2);

        var recovered = Open(crashed);
        var state = await (await recovered.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(new HardState(1, "r1", 1), state.HardState);
        Assert.Equal([1L, 2L, 3L], state.Entries.Select(e => e.Index));

        // The whole WAL replays both commits.
        var intact = _temp.Sub("intact");
        File.Copy(DatabasePath, Path.Combine(intact, "raft.db"));
        File.Copy(wal, Path.Combine(intact, "raft.db-wal"));
        state = await (await Open(intact).OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(new HardState(2, "r2", 3), state.HardState);
        Assert.Equal(13, state.Entries.Count);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_name()
    {
        File.WriteAllBytes(DatabasePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 + 7))]);
        var ex = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains(DatabasePath, ex.Message);
        Assert.Contains("corrupt", ex.Message);
    }

    [Fact]
    public async Task A_database_with_a_damaged_page_is_refused_with_its_name()
    {
        var storage = Open();
        for (var r = 0; r < 4; r++)
        {
            var store = await storage.OpenAsync("g", $"r{r}");
            await store.SaveAsync(new HardState(1, null, 0), [.. Enumerable.Range(1, 200).Select(i => Entry(i, 1, size: 200))]);
        }
        await storage.DisposeAsync(); // the last connection checkpoints the WAL into the database file

        const int pageSize = 4096;
        var length = new FileInfo(DatabasePath).Length;
        Assert.True(length > 20 * pageSize);
        using (var file = new FileStream(DatabasePath, FileMode.Open))
        {
            file.Position = length / pageSize / 2 * pageSize;
            file.Write([.. Enumerable.Range(0, pageSize).Select(i => (byte)(i * 13 + 5))]);
        }

        var ex = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains(DatabasePath, ex.Message);
        Assert.Contains("corrupt", ex.Message);
    }

    [Fact]
    public async Task A_newer_schema_version_is_refused()
    {
        await Open().DisposeAsync();
        using (var raw = Raw(DatabasePath)) Execute(raw, $"PRAGMA user_version = {SqliteRaftStorage.SchemaVersion + 1}");
        var ex = Assert.Throws<InvalidOperationException>(() => Open());
        Assert.Contains(DatabasePath, ex.Message);
        Assert.Contains($"schema version {SqliteRaftStorage.SchemaVersion + 1}", ex.Message);
    }

    [Fact]
    public async Task A_version_1_database_is_migrated_and_its_snapshots_get_their_checksums()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveAsync(new HardState(1, null, 3), [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [4, 5, 6]));
        await storage.DisposeAsync();
        using (var raw = Raw(DatabasePath))
        {
            // Back to the version 1 schema, which had no checksum column (nor a configuration column).
            Execute(raw, "ALTER TABLE replicas DROP COLUMN snapshot_checksum");
            Execute(raw, "ALTER TABLE replicas DROP COLUMN snapshot_configuration");
            Execute(raw, "PRAGMA user_version = 1");
        }

        storage = Open();
        var state = await (await storage.OpenAsync("g", "r1")).LoadAsync();
        Assert.Equal(SnapshotChecksum.Compute([4, 5, 6]), state.Snapshot!.Checksum);
        Assert.Equal([3L], state.Entries.Select(e => e.Index));
        using var check = Raw(DatabasePath);
        using var command = check.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SqliteRaftStorage.SchemaVersion, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_version_2_database_is_migrated_and_its_snapshots_keep_the_bootstrap_configuration()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1", "r2", "r3"]);
        await store.SaveAsync(new HardState(1, null, 3), [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [4, 5, 6]));
        await storage.DisposeAsync();
        using (var raw = Raw(DatabasePath))
        {
            // Back to the version 2 schema, which had no configuration column.
            Execute(raw, "ALTER TABLE replicas DROP COLUMN snapshot_configuration");
            Execute(raw, "PRAGMA user_version = 2");
        }

        storage = Open();
        store = await storage.OpenAsync("g", "r1");
        var state = await store.LoadAsync();
        Assert.Null(state.Snapshot!.Configuration);
        Assert.Equal(SnapshotChecksum.Compute([4, 5, 6]), state.Snapshot.Checksum);
        Assert.Equal(["r1", "r2", "r3"], state.Members);
        Assert.Equal([3L], state.Entries.Select(e => e.Index));

        // The core then runs on the bootstrap members; a newer snapshot records its configuration.
        var node = new RaftNode(new RaftConfig { Id = "r1", Members = state.Members }, state.HardState, state.Entries, new SeededRaftRandom(1),
            new SnapshotData(state.Snapshot.Index, state.Snapshot.Term, state.Snapshot.Data, state.Snapshot.Checksum));
        Assert.Equal(["r1", "r2", "r3"], node.Configuration.VoterIds);
        var configuration = new GroupConfiguration([new("r1", "n1"), new("r2", "n2"), new("r3", "n3")]);
        await store.SaveSnapshotAsync(new RaftSnapshot(3, 1, [7]) { Configuration = configuration });
        Assert.Equal(configuration, (await store.LoadAsync()).Snapshot!.Configuration);
        using var check = Raw(DatabasePath);
        using var command = check.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal(3L, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_snapshot_changed_behind_the_store_is_refused_on_load()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1)]);
        await store.SaveSnapshotAsync(new RaftSnapshot(2, 1, [1, 2, 3]));
        using (var raw = Raw(DatabasePath)) Execute(raw, "UPDATE snapshots SET data = x'010204'");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync());
        Assert.Contains(DatabasePath, ex.Message);
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public async Task A_log_with_a_gap_made_behind_the_store_is_reported_on_load()
    {
        var storage = Open();
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveAsync(null, [Entry(1, 1), Entry(2, 1), Entry(3, 1)]);
        using (var raw = Raw(DatabasePath)) Execute(raw, "DELETE FROM entries WHERE idx = 2");
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync());
        Assert.Contains(DatabasePath, ex.Message);
    }

    [Fact]
    public async Task After_a_failed_commit_the_store_refuses_writes_until_reopened_and_then_holds_exactly_what_was_acknowledged()
    {
        var options = new SqliteRaftStorageOptions { DataDirectory = _temp.Path };
        var storage = new SqliteRaftStorage(options);
        _storages.Add(storage);
        var store = await storage.OpenAsync("g", "r1");
        await store.SaveMembersAsync(["r1"]);
        await store.SaveAsync(new HardState(1, "r1", 0), [Entry(1, 1), Entry(2, 1)]);
        using (var raw = Raw(DatabasePath))
        using (var command = raw.CreateCommand())
        {
            command.CommandText = "PRAGMA page_count";
            options.MaxPageCount = (long)command.ExecuteScalar()!; // a real SQLITE_FULL on the next page the file needs
        }

        var full = await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(new HardState(1, "r1", 2), [Entry(3, 1, size: 256 * 1024)]));
        Assert.True(full.DiskFull);
        Assert.Contains("disk full", full.Message);
        Assert.Contains(DatabasePath, full.Message);

        // Space frees up, but the failed connection is never used again: even a write that fits is refused.
        options.MaxPageCount = null;
        var refused = await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(null, [Entry(3, 1)]));
        Assert.Contains("reopen", refused.Message);

        var reopened = await storage.OpenAsync("g", "r1");
        var state = await reopened.LoadAsync();
        Assert.Equal([1L, 2L], state.Entries.Select(e => e.Index));
        Assert.Equal(new HardState(1, "r1", 0), state.HardState);
        await reopened.SaveAsync(null, [Entry(3, 1)]);
        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(null, [Entry(4, 1)]));
        Assert.Equal([1L, 2L, 3L], (await reopened.LoadAsync()).Entries.Select(e => e.Index));
    }
}
