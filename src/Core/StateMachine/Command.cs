using System.Text;

namespace Orleans.Raft.StateMachine;

/// <summary>
/// A client command as it travels in the log. A write with a ClientId belongs to that session: Sequence numbers the
/// client's requests, so a retried write is applied once (Raft thesis §6.3), and the client no longer needs the
/// results of its requests below AckedBelow. ClientId 0 means no session: such a write is never de-duplicated.
/// Lease attaches a set to a lease; Number is a lease grant's time to live in milliseconds or a revoke's lease id.
/// </summary>
public sealed record Command(
    CommandOperation Operation, string Key, string? Value, string? Expected, long ClientId = 0, long Sequence = 0, long AckedBelow = 0)
{
    // 2: the first seven fields; 3 adds Lease, Number and Txn. Both are read, so old logs still apply.
    private const byte FormatVersion = 3;

    public long Lease { get; init; }

    public long Number { get; init; }

    public TxnCommand? Txn { get; init; }

    public static Command RegisterSession() => new(CommandOperation.RegisterSession, "", null, null);

    public static Command ExpireSession(long clientId) => new(CommandOperation.ExpireSession, "", null, null, clientId);

    public static Command LeaseGrant(long ttlMillis) => new(CommandOperation.LeaseGrant, "", null, null) { Number = ttlMillis };

    public static Command LeaseRevoke(long leaseId) => new(CommandOperation.LeaseRevoke, "", null, null) { Number = leaseId };

    public static Command Transaction(TxnCommand txn) => new(CommandOperation.Txn, "", null, null) { Txn = txn };

    public byte[] Encode()
    {
        using var stream = new MemoryStream(64 + Key.Length + (Value?.Length ?? 0));
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write((byte)Operation);
            w.Write(ClientId);
            w.Write(Sequence);
            w.Write(AckedBelow);
            w.Write(Key);
            WriteOptional(w, Value);
            WriteOptional(w, Expected);
            w.Write(Lease);
            w.Write(Number);
            w.Write(Txn is not null);
            if (Txn is not null) WriteTxn(w, Txn);
        }
        return stream.ToArray();
    }

    public static Command Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var version = r.ReadByte();
        if (version is not (2 or FormatVersion)) throw new InvalidDataException($"unknown command format {version}");
        var op = (CommandOperation)r.ReadByte();
        var clientId = r.ReadInt64();
        var sequence = r.ReadInt64();
        var ackedBelow = r.ReadInt64();
        var key = r.ReadString();
        var value = ReadOptional(r);
        var expected = ReadOptional(r);
        var command = new Command(op, key, value, expected, clientId, sequence, ackedBelow);
        if (version == 2) return command;
        var lease = r.ReadInt64();
        var number = r.ReadInt64();
        var txn = r.ReadBoolean() ? ReadTxn(r) : null;
        return command with { Lease = lease, Number = number, Txn = txn };
    }

    private static void WriteTxn(BinaryWriter w, TxnCommand txn)
    {
        w.Write(txn.Compares.Count);
        foreach (var c in txn.Compares)
        {
            w.Write(c.Key);
            w.Write((byte)c.Target);
            w.Write((byte)c.Operator);
            WriteOptional(w, c.Value);
            w.Write(c.Number);
        }
        WriteOps(w, txn.Success);
        WriteOps(w, txn.Failure);
    }

    private static void WriteOps(BinaryWriter w, IReadOnlyList<TxnOp> ops)
    {
        w.Write(ops.Count);
        foreach (var op in ops)
        {
            w.Write((byte)op.Type);
            w.Write(op.Key);
            WriteOptional(w, op.RangeEnd);
            WriteOptional(w, op.Value);
            w.Write(op.Lease);
            w.Write(op.Limit);
            w.Write(op.KeysOnly);
            w.Write(op.PrevKv);
        }
    }

    private static TxnCommand ReadTxn(BinaryReader r)
    {
        var compares = new TxnCompare[r.ReadInt32()];
        for (var i = 0; i < compares.Length; i++)
            compares[i] = new TxnCompare(r.ReadString(), (CompareTarget)r.ReadByte(), (CompareOperator)r.ReadByte(), ReadOptional(r), r.ReadInt64());
        return new TxnCommand(compares, ReadOps(r), ReadOps(r));
    }

    private static TxnOp[] ReadOps(BinaryReader r)
    {
        var ops = new TxnOp[r.ReadInt32()];
        for (var i = 0; i < ops.Length; i++)
            ops[i] = new TxnOp((TxnOpType)r.ReadByte(), r.ReadString(), ReadOptional(r), ReadOptional(r), r.ReadInt64(), r.ReadInt64(), r.ReadBoolean(), r.ReadBoolean());
        return ops;
    }

    internal static void WriteOptional(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

    internal static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
