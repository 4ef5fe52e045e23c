namespace Orleans.Raft.Storage;

/// <summary>
/// A state-machine snapshot: everything applied up to and including Index (of term Term), and the
/// <see cref="SnapshotChecksum"/> of Data, which a store verifies when it loads the snapshot.
/// </summary>
public sealed record RaftSnapshot(long Index, long Term, byte[] Data, long Checksum)
{
    /// <summary>A snapshot of freshly taken bytes: computes their checksum.</summary>
    public RaftSnapshot(long index, long term, byte[] data)
        : this(index, term, data, SnapshotChecksum.Compute(data))
    {
    }

    /// <summary>
    /// The group's configuration as of Index (etcd's ConfState); null for a snapshot stored before configurations were
    /// recorded.
    /// </summary>
    public GroupConfiguration? Configuration { get; init; }

    public bool IsIntact => SnapshotChecksum.Compute(Data) == Checksum;
}
