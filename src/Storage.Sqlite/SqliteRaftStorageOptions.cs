namespace Orleans.Raft.Storage;

/// <summary>Where <see cref="SqliteRaftStorage"/> keeps its database.</summary>
public sealed class SqliteRaftStorageOptions
{
    /// <summary>The file name of the database inside <see cref="DataDirectory"/>.</summary>
    public const string DatabaseFileName = "raft.db";

    /// <summary>
    /// The directory holding the database file (<c>raft.db</c>, plus SQLite's <c>raft.db-wal</c> and <c>raft.db-shm</c>),
    /// shared by every replica the silo hosts. It is created when missing. A relative path is resolved against the
    /// process's current directory; the default is <c>data</c> under the current directory.
    /// </summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Caps the database at this many pages (SQLite's <c>max_page_count</c>); null for no cap. A write past it fails
    /// as a full disk does (SQLITE_FULL). The store applies a change before its next write, so it can be raised at run time.
    /// </summary>
    public long? MaxPageCount { get; set; }

    /// <summary>
    /// For tests only, off by default: after each commit, note the WAL's durable length (the end of its last synced
    /// commit frame) in <c>raft.db-wal.durable</c>, so a test can cut the WAL back to it as a power cut would. It
    /// costs a file write per commit, and no production setting turns it on.
    /// </summary>
    public bool RecordDurableWalLengthForTests { get; set; }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), DatabaseFileName);
}
