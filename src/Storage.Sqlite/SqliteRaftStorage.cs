using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Orleans.Raft.Consensus;

namespace Orleans.Raft.Storage;

/// <summary>
/// Durable stable storage in one SQLite database per data directory (<see cref="SqliteRaftStorageOptions.DatabasePath"/>),
/// shared by every replica the silo hosts. The database runs in WAL mode with <c>synchronous=FULL</c>, so a write is
/// on disk when its commit returns and a torn write is rolled back when the database is next opened.
/// </summary>
/// <remarks>
/// <para>
/// Every write (opening a replica included) is queued to one writer thread, which applies everything queued in one
/// transaction with one commit (group commit: one fsync for many replicas' Raft Readies). Each request runs under its
/// own savepoint, so a refused request (a stale epoch, a gap) fails alone and writes nothing. A write's task completes
/// only after the transaction holding it committed.
/// </para>
/// <para>
/// Semantics match <see cref="InMemoryRaftStorage"/>, except: epochs are never reused, so a replica opened again after
/// <see cref="IRaftReplicaStore.DeleteAsync"/> continues from the deleted replica's epoch instead of starting again at 1
/// (a small tombstone row remains); a load through a deleted replica's handle returns the empty state rather than the
/// state before the delete; and a batch of entries whose indexes are not consecutive is refused.
/// </para>
/// <para>
/// Tables: <c>replicas</c> (per group and replica: fencing epoch, members, HardState, snapshot index, term, checksum
/// and configuration),
/// <c>snapshots</c> (the snapshot data, kept apart so HardState updates do not rewrite it) and <c>entries</c>
/// (keyed by group, replica and index). The schema version is <c>PRAGMA user_version</c>; a newer one is refused.
/// Versions 1 (no snapshot checksum) and 2 (no snapshot configuration) are migrated in place. The database is checked (<c>PRAGMA quick_check</c>) when
/// opened, which reads the whole file, and a snapshot is checked against its checksum when loaded.
/// </para>
/// <para>
/// Fail-stop: after a batch fails (disk full, an I/O error, a failed commit or fsync) the writer closes its connection,
/// since after a failed fsync neither the page cache nor the file can be trusted, and fails that batch and every
/// later write with <see cref="StorageFailedException"/>. The next <see cref="OpenAsync"/> reopens the database with a
/// fresh connection (checking it again); handles opened before the failure stay refused, so nothing is written on
/// their behalf until their replica has reopened and reloaded what is on disk.
/// </para>
/// </remarks>
public sealed class SqliteRaftStorage : IRaftStorage, IDisposable, IAsyncDisposable
{
    /// <summary>The schema this build writes, kept in <c>PRAGMA user_version</c>.</summary>
    internal const int SchemaVersion = 3;

    private const int MaxBatch = 1024;
    private const int BusyTimeoutSeconds = 30;

    private readonly string _path;
    private readonly SqliteRaftStorageOptions _options;
    private readonly string _connectionString;
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private Writer? _writer; // null while failed; the writer thread's only
    private StorageFailedException? _failure;
    private long _generation;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _commits;
    private long _committedWrites;
    private int _disposed;
    private readonly Histogram<double>? _fsyncDuration;
    private readonly Histogram<double>? _commitDuration;

    /// <summary>The meter the storage's histograms join: the Raft grains' own, so they are scraped together.</summary>
    public const string MeterName = "Orleans.Raft";

    // Doubling from 0.1 ms, as the grains' duration histograms: an fsync takes a fraction of a millisecond on a good disk.
    private static readonly double[] DurationBuckets = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
    private readonly DurableWalRecorder? _durableWal;

    /// <summary>Opens (creating if needed) the database and checks it; throws <see cref="InvalidDataException"/> when it is corrupt.</summary>
    public SqliteRaftStorage(SqliteRaftStorageOptions options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(MeterName);
            var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
            // etcd's wal_fsync_duration_seconds and backend_commit_duration_seconds: here the log and the snapshots share
            // one database, so a batch's transaction is the backend commit, and its COMMIT (the WAL write and fsync) the fsync.
            _fsyncDuration = meter.CreateHistogram("raft.wal.fsync.duration", "ms",
                "Time of each storage transaction's COMMIT: SQLite's write-ahead log append and its fsync (synchronous=FULL)", advice: advice);
            _commitDuration = meter.CreateHistogram("raft.backend.commit.duration", "ms",
                "Time of each storage transaction, from its first write to its durable COMMIT: one batch of replicas' log entries, terms and snapshots", advice: advice);
        }
        _path = options.DatabasePath;
        _options = options;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Unpooled: closing a connection must really close the file (disposal, and tests that reopen it).
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();

        var connection = OpenConnection();
        try
        {
            Initialize(connection);
            _writer = new Writer(connection, _generation);
            _durableWal = options.RecordDurableWalLengthForTests ? new DurableWalRecorder(_path) : null;
            _durableWal?.Record();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        // SQLite's I/O is synchronous (fsync); a thread of its own keeps it off the pool that runs grain turns.
        _thread = new Thread(WriterLoop) { IsBackground = true, Name = "raft-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _path;

    /// <summary>Transactions committed by the writer (tests use it to see group commit).</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>Write requests that committed.</summary>
    internal long CommittedWrites => Interlocked.Read(ref _committedWrites);

    /// <summary>Test hook: runs on the writer thread when writes are waiting, before it takes them.</summary>
    internal Action? BeforeBatch { get; set; }

    public async Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(replica);
        var generation = 0L;
        var epoch = await Enqueue(w =>
        {
            generation = w.Generation;
            return w.Open(group, replica);
        }, cancellationToken, isOpen: true).ConfigureAwait(false);
        return new Handle(this, group, replica, epoch, generation);
    }

    public void Dispose()
    {
        Stop();
        if (Thread.CurrentThread != _thread) _thread.Join();
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _stopped.Task.ConfigureAwait(false);
    }

    /// <summary>Refuses new writes; the writer thread commits what is queued, then closes the database.</summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _queue.Writer.TryComplete();
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Wait for another process's write lock instead of failing at once.
            Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}");
            return connection;
        }
        catch (SqliteException ex) when (IsCorruption(ex))
        {
            connection.Dispose();
            throw Corrupt(ex.Message, ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Initialize(SqliteConnection connection)
    {
        try
        {
            var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), System.Globalization.CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"The Raft storage database '{_path}' cannot use WAL mode (journal_mode is '{mode}').");
            }
            Execute(connection, "PRAGMA synchronous = FULL");
            Execute(connection, "PRAGMA fullfsync = ON"); // macOS: flush the drive's cache as well; ignored elsewhere

            var problems = new List<string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA quick_check(10)";
                using var reader = command.ExecuteReader();
                while (reader.Read()) problems.Add(reader.GetString(0));
            }
            if (problems is not ["ok"]) throw Corrupt(string.Join("; ", problems), null);

            EnsureSchema(connection);
        }
        catch (SqliteException ex) when (IsCorruption(ex))
        {
            throw Corrupt(ex.Message, ex);
        }
    }

    private void EnsureSchema(SqliteConnection connection)
    {
        if (UserVersion(connection, null) == SchemaVersion) return;
        // Immediate: another process may be creating the schema at the same moment; the second one sees it done.
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = UserVersion(connection, transaction);
        if (version == 0)
        {
            // A snapshot's data has a table of its own: SQLite rewrites a whole row on update, and the replica row
            // changes with almost every Ready (commit_index).
            Execute(connection, """
                CREATE TABLE replicas (
                    grp TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    epoch INTEGER NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    members TEXT NOT NULL DEFAULT '[]',
                    current_term INTEGER NOT NULL DEFAULT 0,
                    voted_for TEXT,
                    commit_index INTEGER NOT NULL DEFAULT 0,
                    snapshot_index INTEGER,
                    snapshot_term INTEGER,
                    snapshot_checksum INTEGER,
                    snapshot_configuration BLOB,
                    PRIMARY KEY (grp, replica)
                ) STRICT;
                CREATE TABLE snapshots (
                    grp TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    data BLOB NOT NULL,
                    PRIMARY KEY (grp, replica)
                ) STRICT;
                CREATE TABLE entries (
                    grp TEXT NOT NULL,
                    replica TEXT NOT NULL,
                    idx INTEGER NOT NULL,
                    term INTEGER NOT NULL,
                    type INTEGER NOT NULL,
                    data BLOB NOT NULL,
                    PRIMARY KEY (grp, replica, idx)
                ) STRICT;
                """, transaction);
            Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
        }
        else if (version is 1 or 2)
        {
            if (version == 1) MigrateFromVersion1(connection, transaction);
            MigrateFromVersion2(connection, transaction);
            Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
        }
        else if (version != SchemaVersion)
        {
            throw new InvalidOperationException(
                $"The Raft storage database '{_path}' has schema version {version}, which this build does not know (it knows version {SchemaVersion}); a newer build wrote it.");
        }
        transaction.Commit();
    }

    /// <summary>Version 2 adds snapshot checksums: the snapshots stored so far get the checksum of what they hold now.</summary>
    private static void MigrateFromVersion1(SqliteConnection connection, SqliteTransaction transaction)
    {
        Execute(connection, "ALTER TABLE replicas ADD COLUMN snapshot_checksum INTEGER", transaction);
        var checksums = new List<(string Group, string Replica, long Checksum)>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT grp, replica, data FROM snapshots";
            using var reader = select.ExecuteReader();
            while (reader.Read()) checksums.Add((reader.GetString(0), reader.GetString(1), SnapshotChecksum.Compute(reader.GetFieldValue<byte[]>(2))));
        }
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE replicas SET snapshot_checksum = $c WHERE grp = $g AND replica = $r";
        foreach (var (group, replica, checksum) in checksums)
        {
            update.Parameters.Clear();
            update.Parameters.AddWithValue("$c", checksum);
            update.Parameters.AddWithValue("$g", group);
            update.Parameters.AddWithValue("$r", replica);
            update.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Version 3 adds the configuration a snapshot was taken in (etcd's ConfState). Snapshots stored so far have none:
    /// no configuration change existed before it, so the bootstrap members stay in force for them.
    /// </summary>
    private static void MigrateFromVersion2(SqliteConnection connection, SqliteTransaction transaction) =>
        Execute(connection, "ALTER TABLE replicas ADD COLUMN snapshot_configuration BLOB", transaction);

    private static long UserVersion(SqliteConnection connection, SqliteTransaction? transaction) =>
        Convert.ToInt64(Scalar(connection, "PRAGMA user_version", transaction), System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsCorruption(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) is 11 or 26; // SQLITE_CORRUPT, SQLITE_NOTADB

    private GroupConfiguration DecodeConfiguration(byte[] data, string group, string replica)
    {
        try
        {
            return GroupConfiguration.Decode(data);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The Raft storage database '{_path}': {group}/{replica} has a snapshot configuration that cannot be read ({ex.Message}).", ex);
        }
    }

    private InvalidDataException Corrupt(string detail, Exception? inner) =>
        new($"The Raft storage database '{_path}' is corrupt ({detail}); refusing to open it. Restore the file from a backup.", inner);

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command.ExecuteScalar();
    }

    private static bool IsIoFault(Exception ex) =>
        ex is SqliteException e && (e.SqliteErrorCode & 0xFF) is 10 or 11 or 13 or 14 or 26; // IOERR, CORRUPT, FULL, CANTOPEN, NOTADB

    private Task<long> Enqueue(Func<Writer, long> apply, CancellationToken cancellationToken, bool isOpen = false)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<long>(cancellationToken);
        var request = new WriteRequest(apply, cancellationToken, isOpen);
        return _queue.Writer.TryWrite(request)
            ? request.Completion.Task
            : Task.FromException<long>(new ObjectDisposedException(nameof(SqliteRaftStorage), $"the storage for '{_path}' is disposed"));
    }

    private void WriterLoop()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        try
        {
            while (WaitForWrites())
            {
                BeforeBatch?.Invoke();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var request)) batch.Add(request);
                if (_writer is null && !TryReopen(batch))
                {
                    foreach (var request in batch) request.Completion.TrySetException(_failure!);
                }
                else
                {
                    CommitBatch(batch);
                }
                batch.Clear();
            }
        }
        catch (Exception ex)
        {
            // Only a bug gets here (a failed transaction fails just its batch): refuse all writes rather than leave callers waiting.
            _queue.Writer.TryComplete();
            foreach (var request in batch) request.Completion.TrySetException(ex);
            while (_queue.Reader.TryRead(out var request)) request.Completion.TrySetException(ex);
        }
        finally
        {
            CloseWriter();
            _stopped.TrySetResult();
        }
    }

    private bool WaitForWrites()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void CloseWriter()
    {
        try
        {
            _writer?.Dispose();
        }
        catch (SqliteException)
        {
            // Everything acknowledged is already committed; a failed close must not take the process down with this thread.
        }
        _writer = null;
    }

    /// <summary>After a failure, only an open reopens the database: writes through older handles stay refused.</summary>
    private bool TryReopen(List<WriteRequest> batch)
    {
        if (!batch.Any(r => r.IsOpen)) return false;
        SqliteConnection? connection = null;
        try
        {
            connection = OpenConnection();
            Initialize(connection);
            _writer = new Writer(connection, ++_generation);
            _failure = null;
            return true;
        }
        catch (Exception ex)
        {
            connection?.Dispose();
            _failure = Failure(ex, "reopening it failed");
            return false;
        }
    }

    private StorageFailedException Failure(Exception ex, string what)
    {
        var full = ex is SqliteException e && (e.SqliteErrorCode & 0xFF) == 13;
        if (full) what = "disk full";
        return new StorageFailedException(
            $"The Raft storage database '{_path}' failed ({what}): {ex.Message}. It closed its connection and refuses writes; " +
            "the next open reopens it, and replicas restart from what is on disk.", full, ex);
    }

    /// <summary>Applies the batch in one transaction, commits it once, then completes every request. Never throws.</summary>
    private void CommitBatch(List<WriteRequest> batch)
    {
        var writer = _writer!;
        var started = Stopwatch.GetTimestamp();
        try
        {
            writer.ApplyPageLimit(_options.MaxPageCount);
            using var transaction = writer.Begin();
            foreach (var request in batch)
            {
                // A request cancelled while queued is dropped; once applied, it commits with the rest regardless.
                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Canceled = true;
                    continue;
                }
                transaction.Save("request");
                try
                {
                    request.Result = request.Apply(writer);
                    transaction.Release("request");
                }
                catch (Exception ex) when (!writer.TransactionLost && !IsIoFault(ex))
                {
                    transaction.Rollback("request");
                    transaction.Release("request");
                    request.Error = ex;
                }
            }
            var committing = Stopwatch.GetTimestamp();
            transaction.Commit();
            _fsyncDuration?.Record(Stopwatch.GetElapsedTime(committing).TotalMilliseconds);
            _commitDuration?.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _durableWal?.Record();
        }
        catch (Exception ex)
        {
            // Not committed (or an I/O error left it unknown): fail-stop. Close the connection, fail every request;
            // the grain restarts from storage as after a crash.
            var failure = Failure(ex, "a write or its commit failed");
            _failure = failure;
            CloseWriter();
            foreach (var request in batch)
            {
                if (!request.Canceled) request.Completion.TrySetException(failure);
                else request.Completion.TrySetCanceled(request.CancellationToken);
            }
            return;
        }

        Interlocked.Increment(ref _commits);
        foreach (var request in batch)
        {
            if (request.Canceled) request.Completion.TrySetCanceled(request.CancellationToken);
            else if (request.Error is { } error) request.Completion.TrySetException(error);
            else
            {
                Interlocked.Increment(ref _committedWrites);
                request.Completion.TrySetResult(request.Result);
            }
        }
    }

    private async Task<PersistedReplicaState> LoadAsync(string group, string replica, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // Off the caller's thread: a long log takes a while to read, and grain turns should not block on it.
        return await Task.Run(() => Load(group, replica), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            using var connection = OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT grp, replica, members FROM replicas WHERE deleted = 0 AND members <> '[]' ORDER BY grp, replica";
            using var reader = command.ExecuteReader();
            var found = new List<StoredReplica>();
            while (reader.Read())
                found.Add(new StoredReplica(reader.GetString(0), reader.GetString(1), JsonSerializer.Deserialize<string[]>(reader.GetString(2)) ?? []));
            return (IReadOnlyList<StoredReplica>)found;
        }, cancellationToken);

    private PersistedReplicaState Load(string group, string replica)
    {
        using var connection = OpenConnection();
        // One read transaction: the replica row and its entries come from the same committed state.
        using var transaction = connection.BeginTransaction(deferred: true);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$g", group);
        command.Parameters.AddWithValue("$r", replica);
        command.CommandText = """
            SELECT r.deleted, r.members, r.current_term, r.voted_for, r.commit_index, r.snapshot_index, r.snapshot_term, s.data,
                r.snapshot_checksum, r.snapshot_configuration
            FROM replicas r LEFT JOIN snapshots s ON s.grp = r.grp AND s.replica = r.replica
            WHERE r.grp = $g AND r.replica = $r
            """;
        string[] members;
        HardState hardState;
        RaftSnapshot? snapshot = null;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read() || reader.GetInt64(0) != 0) return new PersistedReplicaState([], HardState.Empty, []);
            members = JsonSerializer.Deserialize<string[]>(reader.GetString(1)) ?? [];
            hardState = new HardState(reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4));
            if (!reader.IsDBNull(5))
            {
                if (reader.IsDBNull(7) || reader.IsDBNull(8))
                    throw new InvalidDataException($"The Raft storage database '{_path}': {group}/{replica} has a snapshot without data or checksum.");
                snapshot = new RaftSnapshot(reader.GetInt64(5), reader.GetInt64(6), reader.GetFieldValue<byte[]>(7), reader.GetInt64(8))
                {
                    Configuration = reader.IsDBNull(9) ? null : DecodeConfiguration(reader.GetFieldValue<byte[]>(9), group, replica),
                };
                if (!snapshot.IsIntact)
                {
                    throw new InvalidDataException(
                        $"The Raft storage database '{_path}': {group}/{replica} has a snapshot at index {snapshot.Index} that fails its checksum; refusing to restore it.");
                }
            }
        }

        // The first entry may lie below the snapshot (the trailing window kept for lagging followers), never past it.
        long? expected = null;
        var entries = new List<LogEntry>();
        command.CommandText = "SELECT idx, term, type, data FROM entries WHERE grp = $g AND replica = $r ORDER BY idx";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var index = reader.GetInt64(0);
                expected ??= Math.Min(index, (snapshot?.Index ?? 0) + 1);
                if (index != expected)
                {
                    // The writer never leaves a gap; finding one means the file was changed behind our back.
                    throw new InvalidDataException($"The Raft storage database '{_path}': {group}/{replica} has entry {index} where {expected} was expected.");
                }
                entries.Add(new LogEntry(index, reader.GetInt64(1), (LogEntryType)reader.GetInt64(2), reader.GetFieldValue<byte[]>(3)));
                expected++;
            }
        }
        transaction.Commit();
        return new PersistedReplicaState(members, hardState, entries, snapshot);
    }

    private sealed class WriteRequest(Func<Writer, long> apply, CancellationToken cancellationToken, bool isOpen)
    {
        public bool IsOpen => isOpen;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Func<Writer, long> Apply => apply;
        public CancellationToken CancellationToken => cancellationToken;
        public long Result { get; set; }
        public Exception? Error { get; set; }
        public bool Canceled { get; set; }
    }

    private sealed class Handle(SqliteRaftStorage owner, string group, string replica, long epoch, long generation) : IRaftReplicaStore
    {
        public long Epoch => epoch;

        /// <summary>Which connection of the writer's opened it: a handle from before a failure is refused.</summary>
        public long Generation => generation;

        public string Group => group;

        public string Replica => replica;

        public string Key { get; } = $"{group}/{replica}";

        public Task<PersistedReplicaState> LoadAsync(CancellationToken cancellationToken = default) => owner.LoadAsync(group, replica, cancellationToken);

        public Task SaveMembersAsync(string[] members, CancellationToken cancellationToken = default)
        {
            var json = JsonSerializer.Serialize(members);
            return owner.Enqueue(w =>
            {
                w.Fence(this);
                w.SetMembers(this, json);
                return 0;
            }, cancellationToken);
        }

        public Task SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken = default)
        {
            LogEntry[] copy = [.. entries]; // the caller may reuse its list once we return
            return owner.Enqueue(w =>
            {
                var snapshotIndex = w.Fence(this);
                if (copy.Length > 0)
                {
                    var offset = snapshotIndex ?? 0;
                    var first = copy[0].Index;
                    if (first <= offset) throw new InvalidOperationException($"{Key}: write at index {first} is inside the snapshot up to {offset}");
                    var last = w.LastIndex(this) ?? offset;
                    if (first > last + 1) throw new InvalidOperationException($"{Key}: write at index {first} leaves a gap after {last}");
                    for (var i = 1; i < copy.Length; i++)
                    {
                        if (copy[i].Index != first + i) throw new InvalidOperationException($"{Key}: entry {copy[i].Index} follows entry {copy[i - 1].Index}; indexes must be consecutive");
                    }
                    w.DeleteEntriesFrom(this, first);
                    foreach (var entry in copy) w.Insert(this, entry);
                }
                if (hardState is { } hs) w.SetHardState(this, hs);
                return 0;
            }, cancellationToken);
        }

        public Task SaveSnapshotAsync(RaftSnapshot snapshot, int catchUpEntries = 0, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(snapshot);
            ArgumentOutOfRangeException.ThrowIfNegative(catchUpEntries);
            return owner.Enqueue(w =>
            {
                var old = w.Fence(this);
                if (old >= snapshot.Index) return 0;
                var offset = old ?? 0;
                if (snapshot.Index < offset) throw new ArgumentOutOfRangeException(nameof(snapshot), $"{Key}: snapshot index {snapshot.Index} is negative");
                // Entries are kept only when the log continues the snapshot (it holds the snapshot's last entry), with
                // a trailing window of catchUpEntries below it.
                if (snapshot.Index > offset && w.TermAt(this, snapshot.Index) == snapshot.Term) w.DeleteEntriesThrough(this, snapshot.Index - catchUpEntries);
                else w.DeleteAllEntries(this);
                w.SetSnapshot(this, snapshot);
                return 0;
            }, cancellationToken);
        }

        public Task DeleteAsync(CancellationToken cancellationToken = default) =>
            owner.Enqueue(w =>
            {
                w.Fence(this);
                w.DeleteAllEntries(this);
                w.Tombstone(this);
                return 0;
            }, cancellationToken);
    }

    /// <summary>The writer thread's connection and its prepared statements; used only by that thread.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly List<SqliteCommand> _commands = [];
        private long? _pageLimit;
        private readonly SqliteCommand _open, _fence, _lastIndex, _termAt, _deleteFrom, _deleteThrough, _deleteAll, _insert;
        private readonly SqliteCommand _hardState, _members, _snapshot, _snapshotData, _tombstone, _deleteSnapshot;

        public Writer(SqliteConnection connection, long generation)
        {
            _connection = connection;
            Generation = generation;
            _open = Prepare("""
                INSERT INTO replicas (grp, replica, epoch) VALUES ($g, $r, 1)
                ON CONFLICT (grp, replica) DO UPDATE SET epoch = epoch + 1, deleted = 0
                RETURNING epoch
                """);
            _fence = Prepare("SELECT epoch, deleted, snapshot_index FROM replicas WHERE grp = $g AND replica = $r");
            _lastIndex = Prepare("SELECT idx FROM entries WHERE grp = $g AND replica = $r ORDER BY idx DESC LIMIT 1");
            _termAt = Prepare("SELECT term FROM entries WHERE grp = $g AND replica = $r AND idx = $i", "$i");
            _deleteFrom = Prepare("DELETE FROM entries WHERE grp = $g AND replica = $r AND idx >= $i", "$i");
            _deleteThrough = Prepare("DELETE FROM entries WHERE grp = $g AND replica = $r AND idx <= $i", "$i");
            _deleteAll = Prepare("DELETE FROM entries WHERE grp = $g AND replica = $r");
            _insert = Prepare("INSERT INTO entries (grp, replica, idx, term, type, data) VALUES ($g, $r, $i, $t, $y, $d)", "$i", "$t", "$y", "$d");
            _hardState = Prepare("UPDATE replicas SET current_term = $t, voted_for = $v, commit_index = $c WHERE grp = $g AND replica = $r", "$t", "$v", "$c");
            _members = Prepare("UPDATE replicas SET members = $m WHERE grp = $g AND replica = $r", "$m");
            _snapshot = Prepare("UPDATE replicas SET snapshot_index = $i, snapshot_term = $t, snapshot_checksum = $c, snapshot_configuration = $k WHERE grp = $g AND replica = $r",
                "$i", "$t", "$c", "$k");
            _snapshotData = Prepare("""
                INSERT INTO snapshots (grp, replica, data) VALUES ($g, $r, $d)
                ON CONFLICT (grp, replica) DO UPDATE SET data = excluded.data
                """, "$d");
            _deleteSnapshot = Prepare("DELETE FROM snapshots WHERE grp = $g AND replica = $r");
            _tombstone = Prepare("""
                UPDATE replicas SET deleted = 1, members = '[]', current_term = 0, voted_for = NULL, commit_index = 0,
                    snapshot_index = NULL, snapshot_term = NULL, snapshot_checksum = NULL, snapshot_configuration = NULL
                WHERE grp = $g AND replica = $r
                """);
        }

        public long Generation { get; }

        public void ApplyPageLimit(long? limit)
        {
            if (limit == _pageLimit) return;
            using var command = _connection.CreateCommand();
            command.CommandText = $"PRAGMA max_page_count = {limit ?? uint.MaxValue - 1}";
            command.ExecuteNonQuery();
            _pageLimit = limit;
        }

        /// <summary>True when SQLite rolled the whole transaction back by itself (as it may on I/O errors).</summary>
        public bool TransactionLost => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0;

        public SqliteTransaction Begin()
        {
            var transaction = _connection.BeginTransaction(deferred: false);
            foreach (var command in _commands) command.Transaction = transaction;
            return transaction;
        }

        public long Open(string group, string replica)
        {
            _open.Parameters["$g"].Value = group;
            _open.Parameters["$r"].Value = replica;
            return (long)_open.ExecuteScalar()!;
        }

        /// <summary>Throws <see cref="StaleEpochException"/> unless the handle's epoch owns the replica; returns the snapshot index.</summary>
        public long? Fence(Handle handle)
        {
            if (handle.Generation != Generation)
            {
                throw new StorageFailedException(
                    $"replica {handle.Key}: write refused: it was opened before the Raft storage failed and was reopened; reopen the replica and reload it from disk", false);
            }
            using var reader = Bind(_fence, handle).ExecuteReader();
            if (!reader.Read()) throw new StaleEpochException(handle.Key, handle.Epoch, 0);
            if (reader.GetInt64(1) != 0) throw new StaleEpochException(handle.Key, handle.Epoch, long.MaxValue);
            var epoch = reader.GetInt64(0);
            if (epoch != handle.Epoch) throw new StaleEpochException(handle.Key, handle.Epoch, epoch);
            return reader.IsDBNull(2) ? null : reader.GetInt64(2);
        }

        public long? LastIndex(Handle handle) => Bind(_lastIndex, handle).ExecuteScalar() is long index ? index : null;

        public long? TermAt(Handle handle, long index) => Bind(_termAt, handle, index).ExecuteScalar() is long term ? term : null;

        public void DeleteEntriesFrom(Handle handle, long index) => Bind(_deleteFrom, handle, index).ExecuteNonQuery();

        public void DeleteEntriesThrough(Handle handle, long index) => Bind(_deleteThrough, handle, index).ExecuteNonQuery();

        public void DeleteAllEntries(Handle handle) => Bind(_deleteAll, handle).ExecuteNonQuery();

        public void Insert(Handle handle, LogEntry entry) =>
            Bind(_insert, handle, entry.Index, entry.Term, (long)entry.Type, entry.Data).ExecuteNonQuery();

        public void SetHardState(Handle handle, HardState hardState) =>
            Bind(_hardState, handle, hardState.CurrentTerm, hardState.VotedFor, hardState.CommitIndex).ExecuteNonQuery();

        public void SetMembers(Handle handle, string json) => Bind(_members, handle, json).ExecuteNonQuery();

        public void SetSnapshot(Handle handle, RaftSnapshot snapshot)
        {
            Bind(_snapshot, handle, snapshot.Index, snapshot.Term, snapshot.Checksum, snapshot.Configuration?.Encode()).ExecuteNonQuery();
            Bind(_snapshotData, handle, snapshot.Data).ExecuteNonQuery();
        }

        public void Tombstone(Handle handle)
        {
            Bind(_tombstone, handle).ExecuteNonQuery();
            Bind(_deleteSnapshot, handle).ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var command in _commands) command.Dispose();
            _connection.Dispose();
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add("$g", SqliteType.Text);
            command.Parameters.Add("$r", SqliteType.Text);
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            _commands.Add(command);
            return command;
        }

        private static SqliteCommand Bind(SqliteCommand command, Handle handle, params ReadOnlySpan<object?> values)
        {
            command.Parameters[0].Value = handle.Group;
            command.Parameters[1].Value = handle.Replica;
            for (var i = 0; i < values.Length; i++) command.Parameters[i + 2].Value = values[i] ?? DBNull.Value;
            return command;
        }
    }
}
