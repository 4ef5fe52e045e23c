using System.Globalization;

namespace Orleans.Raft.TestSupport.Processes;

/// <summary>What a simulated power cut did to a node's WAL.</summary>
/// <param name="DurableLength">The end of the last synced commit frame, from the sidecar.</param>
/// <param name="LengthBefore">The WAL's length on disk after the kill.</param>
/// <param name="LengthAfter">What the cut left: the durable length plus what the disk happened to keep of the rest.</param>
/// <param name="WalReset">The WAL had started a new generation after the last sync; none of it was durable.</param>
public sealed record PowerCutResult(long DurableLength, long LengthBefore, long LengthAfter, bool WalReset)
{
    public long Dropped => LengthBefore - LengthAfter;

    public override string ToString() =>
        $"WAL {LengthBefore} bytes, {DurableLength} synced{(WalReset ? " (before a WAL reset)" : "")}; kept {LengthAfter}, dropped {Dropped}";
}

/// <summary>
/// A lost-fsync crash of a node's SQLite database, as Jepsen's lazyfs makes one: run on a node killed with -9 whose
/// storage recorded its durable WAL length (<c>--Raft:RecordDurableWalLengthForTests true</c>). The WAL is cut back to
/// that length plus a random sector-aligned prefix of the unsynced rest (what a disk may or may not have written before
/// the power went), and the wal-index (<c>-shm</c>, rebuilt on open) is deleted. SQLite's recovery then ignores any frame
/// past the last whole commit frame whose checksum holds. Not covered: database-file pages a checkpoint wrote but did
/// not sync (a checkpoint syncs the WAL first and the WAL keeps those pages until a later reset), writes reordered
/// within the synced part, torn sectors, and disks that lie about fsync.
/// </summary>
public static class PowerCut
{
    public const string DatabaseFileName = "raft.db";
    private const string SidecarSuffix = "-wal.durable";
    private const int Sector = 512;

    /// <summary>Cuts the WAL in <paramref name="dataDirectory"/>; the node's process must not be running.</summary>
    public static PowerCutResult Apply(string dataDirectory, Random random, bool keepNothingUnsynced = false)
    {
        var database = Path.Combine(dataDirectory, DatabaseFileName);
        var wal = database + "-wal";
        var sidecar = database + SidecarSuffix;
        if (!File.Exists(sidecar))
            throw new InvalidOperationException($"{sidecar} is missing: start the node with --Raft:RecordDurableWalLengthForTests true");
        var fields = File.ReadAllText(sidecar).Split(' ');
        var salt1 = uint.Parse(fields[0], CultureInfo.InvariantCulture);
        var salt2 = uint.Parse(fields[1], CultureInfo.InvariantCulture);
        var durable = long.Parse(fields[2], CultureInfo.InvariantCulture);
        File.Delete(database + "-shm");
        if (!File.Exists(wal)) return new PowerCutResult(durable, 0, 0, false);

        long before;
        uint onDisk1 = 0, onDisk2 = 0;
        using (var stream = new FileStream(wal, FileMode.Open, FileAccess.ReadWrite))
        {
            before = stream.Length;
            var header = new byte[32];
            if (before >= header.Length && stream.Read(header) == header.Length)
            {
                onDisk1 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
                onDisk2 = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(20));
            }
        }
        // A WAL reset rewrites the header with new salts; a reset happens only after a checkpoint synced every page to
        // the database file, so then nothing in the WAL was needed, and nothing of its new generation was synced.
        var reset = durable > 0 && (onDisk1, onDisk2) != (salt1, salt2);
        if (reset) durable = 0;
        var unsynced = Math.Max(0, before - durable);
        var kept = keepNothingUnsynced || unsynced == 0 ? 0 : Math.Min(unsynced, random.NextInt64(0, (unsynced / Sector) + 2) * Sector);
        var after = Math.Min(before, durable + kept);
        using (var stream = new FileStream(wal, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(after);
        }
        return new PowerCutResult(durable, before, after, reset);
    }
}
