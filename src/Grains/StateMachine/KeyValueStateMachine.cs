using System.Text;

namespace Orleans.Raft.StateMachine;

public enum CommandOperation : byte
{
    Get = 1,
    Set = 2,
    Delete = 3,
    CompareAndSet = 4,
}

public enum ApplyStatus : byte
{
    Ok,
    NotFound,
    CompareFailed,
}

/// <summary>
/// A client command as it travels in the log. RequestId identifies the client's logical operation across retries,
/// so a retried write is applied once (Raft thesis §6.3). TimestampMs is stamped by the proposer and only ages the
/// de-duplication table, so every replica expires the same records.
/// </summary>
public sealed record Command(CommandOperation Operation, string Key, string? Value, string? Expected, Guid RequestId, long TimestampMs)
{
    private const byte FormatVersion = 1;

    public byte[] Encode()
    {
        using var stream = new MemoryStream(64 + Key.Length + (Value?.Length ?? 0));
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write((byte)Operation);
            w.Write(RequestId.ToByteArray());
            w.Write(TimestampMs);
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
        var id = new Guid(r.ReadBytes(16));
        var ts = r.ReadInt64();
        var key = r.ReadString();
        var value = ReadOptional(r);
        var expected = ReadOptional(r);
        return new Command(op, key, value, expected, id, ts);
    }

    private static void WriteOptional(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null) w.Write(s);
    }

    private static string? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}

/// <summary>The result of applying one command: for reads and failed compares, Value is the current value.</summary>
public readonly record struct ApplyResult(ApplyStatus Status, string? Value);

/// <summary>
/// The replicated key-value map. Deterministic: the same committed commands give the same state on every replica.
/// </summary>
public sealed class KeyValueStateMachine
{
    /// <summary>
    /// How long a write's outcome is remembered for de-duplicating client retries. Retries come from the gateway within
    /// one request timeout (at most 20 s), so 30 s covers them with room for clock skew between leaders. It must be the
    /// same on every replica, or replicas would disagree on which retries to apply.
    /// </summary>
    public static readonly TimeSpan DefaultDeduplicationWindow = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    // The outcome only, and a value only for a failed compare (the value it found then): a retry of a set carries
    // the same value, and values can be large.
    private readonly Dictionary<Guid, ApplyResult> _applied = [];
    private readonly Queue<(Guid RequestId, long TimestampMs)> _appliedOrder = new();
    private const byte SnapshotFormat = 3;
    private readonly long _windowMs;
    private long _newestTimestampMs;

    public KeyValueStateMachine(TimeSpan? deduplicationWindow = null)
    {
        _windowMs = (long)(deduplicationWindow ?? DefaultDeduplicationWindow).TotalMilliseconds;
    }

    public long LastAppliedIndex { get; private set; }

    public int Count => _data.Count;

    public IReadOnlyDictionary<string, string> Data => _data;

    public bool TryGet(string key, out string? value)
    {
        var found = _data.TryGetValue(key, out var v);
        value = v;
        return found;
    }

    /// <summary>Applies the committed entry at index. Entries must come in order, each exactly once.</summary>
    public ApplyResult Apply(long index, Command command)
    {
        if (index <= LastAppliedIndex) throw new InvalidOperationException($"entry {index} applied twice (last applied {LastAppliedIndex})");
        LastAppliedIndex = index;
        _newestTimestampMs = Math.Max(_newestTimestampMs, command.TimestampMs);
        Expire();

        if (command.Operation == CommandOperation.Get)
        {
            return _data.TryGetValue(command.Key, out var v) ? new(ApplyStatus.Ok, v) : new(ApplyStatus.NotFound, null);
        }

        if (command.RequestId != Guid.Empty && _applied.TryGetValue(command.RequestId, out var earlier))
        {
            // A retry of a write that already took effect: report that outcome, change nothing.
            return earlier.Status switch
            {
                ApplyStatus.Ok when command.Operation != CommandOperation.Delete => earlier with { Value = command.Value },
                _ => earlier,
            };
        }

        var result = ApplyWrite(command);
        if (command.RequestId != Guid.Empty)
        {
            _applied[command.RequestId] = result.Status == ApplyStatus.CompareFailed ? result : result with { Value = null };
            _appliedOrder.Enqueue((command.RequestId, command.TimestampMs));
        }
        return result;
    }

    /// <summary>Advances the applied index past an entry that carries no command (a leader's no-op).</summary>
    public void ApplyNoOp(long index)
    {
        if (index <= LastAppliedIndex) throw new InvalidOperationException($"entry {index} applied twice (last applied {LastAppliedIndex})");
        LastAppliedIndex = index;
    }

    /// <summary>Everything needed to rebuild this state machine, de-duplication records included.</summary>
    public byte[] TakeSnapshot()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(SnapshotFormat);
            w.Write(LastAppliedIndex);
            w.Write(_newestTimestampMs);
            w.Write(_data.Count);
            foreach (var (key, value) in _data)
            {
                w.Write(key);
                w.Write(value);
            }
            w.Write(_appliedOrder.Count);
            foreach (var (id, ts) in _appliedOrder)
            {
                var result = _applied[id];
                w.Write(id.ToByteArray());
                w.Write(ts);
                w.Write((byte)result.Status);
                w.Write(result.Value is not null);
                if (result.Value is not null) w.Write(result.Value);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Replaces this state machine's whole state with a snapshot's.</summary>
    public void Restore(byte[] snapshot)
    {
        using var r = new BinaryReader(new MemoryStream(snapshot), Encoding.UTF8);
        var format = r.ReadByte();
        if (format != SnapshotFormat) throw new InvalidDataException($"unknown snapshot format {format}");
        var lastApplied = r.ReadInt64();
        var newest = r.ReadInt64();
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = r.ReadInt32(); n > 0; n--) data[r.ReadString()] = r.ReadString();
        var order = new List<(Guid, long, ApplyResult)>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var id = new Guid(r.ReadBytes(16));
            var ts = r.ReadInt64();
            var status = (ApplyStatus)r.ReadByte();
            order.Add((id, ts, new ApplyResult(status, r.ReadBoolean() ? r.ReadString() : null)));
        }

        _data.Clear();
        foreach (var (k, v) in data) _data[k] = v;
        _applied.Clear();
        _appliedOrder.Clear();
        foreach (var (id, ts, result) in order)
        {
            _applied[id] = result;
            _appliedOrder.Enqueue((id, ts));
        }
        LastAppliedIndex = lastApplied;
        _newestTimestampMs = newest;
    }

    private ApplyResult ApplyWrite(Command command)
    {
        switch (command.Operation)
        {
            case CommandOperation.Set:
                _data[command.Key] = command.Value ?? "";
                return new(ApplyStatus.Ok, command.Value);
            case CommandOperation.Delete:
                return _data.Remove(command.Key, out var old) ? new(ApplyStatus.Ok, old) : new(ApplyStatus.NotFound, null);
            case CommandOperation.CompareAndSet:
                var exists = _data.TryGetValue(command.Key, out var current);
                // Expected null means "only if the key does not exist".
                var matches = command.Expected is null ? !exists : exists && current == command.Expected;
                if (!matches) return new(ApplyStatus.CompareFailed, current);
                _data[command.Key] = command.Value ?? "";
                return new(ApplyStatus.Ok, command.Value);
            default:
                throw new InvalidDataException($"unknown operation {command.Operation}");
        }
    }

    private void Expire()
    {
        while (_appliedOrder.TryPeek(out var head) && _newestTimestampMs - head.TimestampMs > _windowMs)
        {
            _appliedOrder.Dequeue();
            _applied.Remove(head.RequestId);
        }
    }
}
