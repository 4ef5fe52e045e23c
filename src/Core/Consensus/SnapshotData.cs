namespace Orleans.Raft.Consensus;

/// <summary>
/// A state-machine snapshot as the core sees it: everything up to Index (of term Term), as opaque bytes, and the
/// <see cref="SnapshotChecksum"/> of those bytes.
/// </summary>
public sealed record SnapshotData(long Index, long Term, byte[] Data, long Checksum)
{
    /// <summary>A snapshot of freshly taken bytes: computes their checksum.</summary>
    public SnapshotData(long index, long term, byte[] data)
        : this(index, term, data, SnapshotChecksum.Compute(data))
    {
    }

    /// <summary>
    /// The group's configuration as of Index (etcd's ConfState); null for a snapshot taken before configurations were
    /// recorded, which leaves the bootstrap configuration in force.
    /// </summary>
    public GroupConfiguration? Configuration { get; init; }

    /// <summary>True when Data still has the checksum it was taken with.</summary>
    public bool IsIntact => SnapshotChecksum.Compute(Data) == Checksum;
}
