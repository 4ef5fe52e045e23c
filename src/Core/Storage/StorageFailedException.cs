namespace Orleans.Raft.Storage;

/// <summary>
/// The store hit an I/O error (disk full, a failed commit or fsync) and closed its connection: after such an error
/// neither the page cache nor the file's state can be trusted. Writes are refused until a replica opens the store
/// again, which reopens the database; every replica then restarts from what is on disk.
/// </summary>
public sealed class StorageFailedException(string message, bool diskFull, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the error was SQLITE_FULL: the disk (or the configured size limit) is full.</summary>
    public bool DiskFull => diskFull;
}
