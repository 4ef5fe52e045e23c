using System.Buffers.Binary;
using System.Globalization;

namespace Orleans.Raft.Storage;

/// <summary>
/// For tests only (<see cref="SqliteRaftStorageOptions.RecordDurableWalLengthForTests"/>): after every commit, which
/// synchronous=FULL has fsynced, notes in <c>raft.db-wal.durable</c> the WAL's salts and the end of its last commit
/// frame. A test's simulated power cut truncates the WAL back towards that length: whatever lies past it was written
/// but not synced. Runs on the writer thread, before the commit's requests complete, so nothing acknowledged is past it.
/// </summary>
internal sealed class DurableWalRecorder(string databasePath)
{
    /// <summary>The sidecar's name next to the database: "SALT1 SALT2 LENGTH" in decimal.</summary>
    public const string SidecarSuffix = "-wal.durable";

    // SQLite's WAL format (sqlite.org/fileformat2.html#walformat): a 32-byte header, then frames of a 24-byte header and a page.
    private const int WalHeaderSize = 32;
    private const int FrameHeaderSize = 24;

    private readonly string _walPath = databasePath + "-wal";
    private readonly string _sidecarPath = databasePath + SidecarSuffix;
    private readonly byte[] _header = new byte[WalHeaderSize];
    private readonly byte[] _frameHeader = new byte[FrameHeaderSize];
    private ulong _salts;
    private long _scanned;
    private long _durable;

    /// <summary>Scans the frames added since the last call, from the start after a WAL reset (new salts), and writes the sidecar.</summary>
    public void Record()
    {
        // Not created when missing: SQLite makes the WAL itself on the first write.
        using (var wal = File.Exists(_walPath) ? new FileStream(_walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null)
        {
            if (wal is null || wal.Length < WalHeaderSize || wal.Read(_header) < WalHeaderSize)
            {
                // No WAL yet (or checkpointed away): the database file holds everything.
                (_salts, _scanned, _durable) = (0, 0, 0);
            }
            else
            {
                var pageSize = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(8));
                if (pageSize == 1) pageSize = 65536;
                var salts = BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(16));
                if (salts != _salts || _scanned < WalHeaderSize) (_salts, _scanned, _durable) = (salts, WalHeaderSize, WalHeaderSize);
                var frameSize = FrameHeaderSize + pageSize;
                while (_scanned + frameSize <= wal.Length)
                {
                    wal.Position = _scanned;
                    if (wal.Read(_frameHeader) < FrameHeaderSize) break;
                    // A frame of an older WAL generation (stale, past the reset's new frames) ends the log.
                    if (BinaryPrimitives.ReadUInt64BigEndian(_frameHeader.AsSpan(8)) != salts) break;
                    _scanned += frameSize;
                    // A commit frame records the database size after the commit; 0 in the other frames.
                    if (BinaryPrimitives.ReadUInt32BigEndian(_frameHeader.AsSpan(4)) != 0) _durable = _scanned;
                }
            }
        }
        var salt1 = (uint)(_salts >> 32);
        var salt2 = (uint)_salts;
        // Renamed into place: a reader never sees half a line. No fsync: the simulated cut is a kill, not a real power loss.
        var temporary = _sidecarPath + ".tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"{salt1} {salt2} {_durable}"));
        File.Move(temporary, _sidecarPath, overwrite: true);
    }
}
