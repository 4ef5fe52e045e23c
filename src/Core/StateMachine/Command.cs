using System.Text;

namespace Orleans.Raft.StateMachine;

/// <summary>
/// A client command as it travels in the log. A write with a ClientId belongs to that session: Sequence numbers the
/// client's requests, so a retried write is applied once (Raft thesis §6.3), and the client no longer needs the
/// results of its requests below AckedBelow. ClientId 0 means no session: such a write is never de-duplicated.
/// </summary>
public sealed record Command(
    CommandOperation Operation, string Key, string? Value, string? Expected, long ClientId = 0, long Sequence = 0, long AckedBelow = 0)
{
    private const byte FormatVersion = 2;

    public static Command RegisterSession() => new(CommandOperation.RegisterSession, "", null, null);

    public static Command ExpireSession(long clientId) => new(CommandOperation.ExpireSession, "", null, null, clientId);

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
        }
        return stream.ToArray();
    }

    public static Command Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var version = r.ReadByte();
        if (version != FormatVersion) throw new InvalidDataException($"unknown command format {version}");
        var op = (CommandOperation)r.ReadByte();
        var clientId = r.ReadInt64();
        var sequence = r.ReadInt64();
        var ackedBelow = r.ReadInt64();
        var key = r.ReadString();
        var value = ReadOptional(r);
        var expected = ReadOptional(r);
        return new Command(op, key, value, expected, clientId, sequence, ackedBelow);
    }

    internal static void WriteOptional(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

    internal static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
