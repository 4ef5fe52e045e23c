using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Orleans.Raft.Consensus;

/// <summary>The checksum every snapshot carries: the first 8 bytes of the SHA-256 of its whole content.</summary>
public static class SnapshotChecksum
{
    public static long Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }
}
