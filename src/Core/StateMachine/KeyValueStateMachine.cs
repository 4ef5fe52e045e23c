using System.Text;
using System.Text.Json;

namespace Orleans.Raft.StateMachine;

/// <summary>
/// The replicated key-value map and the client session table. Deterministic: the same committed commands give the
/// same state, and the same state encodes to the same snapshot bytes, on every replica. Apply never reads a clock:
/// sessions end only by an ExpireSession command in the log.
/// </summary>
public sealed class KeyValueStateMachine
{
    /// <summary>
    /// Results a session keeps for retries. Past it the oldest is forgotten, and a retry of that request answers
    /// SessionExpired rather than apply again. A constant: every replica must forget the same results.
    /// </summary>
    public const int MaxResultsPerSession = 4096;

    /// <summary>
    /// The longest found value a failed compare-and-set's record keeps for a retry, in chars; a longer one is kept as
    /// "omitted", so records stay small however large the values are.
    /// </summary>
    public const int MaxRecordedValueChars = 256;

    /// <summary>
    /// The replicas removed from the group, for good: a JSON object from replica id to node, in id order. Kept in the
    /// map, so it travels in snapshots; no client request may use a key with a control character.
    /// </summary>
    public const string RemovedReplicasKey = "\u0001raft/removed-replicas";

    // Per entry in a snapshot: two 1-5 byte length prefixes; counted as their maximum.
    private const int EntryOverheadBytes = 10;
    private const byte SnapshotFormat = 4;

    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ClientSession> _sessions = [];
    // Read from RemovedReplicasKey whenever it is written or restored.
    private IReadOnlyDictionary<string, string> _removed = new Dictionary<string, string>(StringComparer.Ordinal);

    public long LastAppliedIndex { get; private set; }

    public int Count => _data.Count;

    public IReadOnlyDictionary<string, string> Data => _data;

    /// <summary>The open sessions' ids.</summary>
    public IReadOnlyCollection<long> Sessions => _sessions.Keys;

    /// <summary>The encoded size of the keys and values, in bytes: what bounds the snapshot's size.</summary>
    public long DataBytes { get; private set; }

    public bool TryGet(string key, out string? value)
    {
        var found = _data.TryGetValue(key, out var v);
        value = v;
        return found;
    }

    public bool HasSession(long clientId) => _sessions.ContainsKey(clientId);

    /// <summary>The replicas removed from the group by an applied configuration change, by id, with their node.</summary>
    public IReadOnlyDictionary<string, string> RemovedReplicas => _removed;

    /// <summary>True when an applied configuration change removed the replica: names are never reused, so this is final.</summary>
    public bool WasRemoved(string id) => _removed.ContainsKey(id);

    /// <summary>The encoded size of one key and value.</summary>
    public static long EntryBytes(string key, string value) => Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + EntryOverheadBytes;

    /// <summary>Applies the committed entry at index. Entries must come in order, each exactly once.</summary>
    public ApplyResult Apply(long index, Command command)
    {
        if (index <= LastAppliedIndex) throw new InvalidOperationException($"entry {index} applied twice (last applied {LastAppliedIndex})");
        LastAppliedIndex = index;

        switch (command.Operation)
        {
            case CommandOperation.Get:
                return _data.TryGetValue(command.Key, out var v) ? new(ApplyStatus.Ok, v) : new(ApplyStatus.NotFound, null);
            case CommandOperation.RegisterSession:
                _sessions[index] = new ClientSession();
                return new(ApplyStatus.Ok, null);
            case CommandOperation.ExpireSession:
                return _sessions.Remove(command.ClientId) ? new(ApplyStatus.Ok, null) : new(ApplyStatus.NotFound, null);
        }

        if (command.ClientId == 0) return ApplyWrite(command);
        if (!_sessions.TryGetValue(command.ClientId, out var session)) return new(ApplyStatus.SessionExpired, null);

        // A client cannot acknowledge the request it is making.
        session.Acknowledge(Math.Min(command.AckedBelow, command.Sequence));
        if (command.Sequence < session.AckedBelow) return new(ApplyStatus.SessionExpired, null); // its result is gone
        if (session.Results.TryGetValue(command.Sequence, out var earlier))
        {
            // A retry of a write that already took effect: report that outcome, change nothing.
            return earlier.Status == ApplyStatus.Ok && command.Operation is CommandOperation.Set or CommandOperation.CompareAndSet
                ? earlier with { Value = command.Value }
                : earlier;
        }

        var result = ApplyWrite(command);
        session.Results[command.Sequence] = Summarize(result);
        if (session.Results.Count > MaxResultsPerSession) session.Acknowledge(session.Results.Keys.First() + 1);
        return result;
    }

    /// <summary>Advances the applied index past an entry that carries no command (a leader's no-op).</summary>
    public void ApplyNoOp(long index)
    {
        if (index <= LastAppliedIndex) throw new InvalidOperationException($"entry {index} applied twice (last applied {LastAppliedIndex})");
        LastAppliedIndex = index;
    }

    /// <summary>
    /// Applies a committed configuration entry: every member of the configuration before it (previous) that is not in
    /// it (next) is recorded as removed, for good. A member of next is never recorded, so a replica in the
    /// configuration in force is never reported removed. The same log gives the same record on every replica.
    /// </summary>
    /// <returns>The members this entry removed.</returns>
    public IReadOnlyList<GroupMember> ApplyConfiguration(long index, GroupConfiguration previous, GroupConfiguration next)
    {
        if (index <= LastAppliedIndex) throw new InvalidOperationException($"entry {index} applied twice (last applied {LastAppliedIndex})");
        LastAppliedIndex = index;
        var gone = previous.All.Where(m => !next.Contains(m.Id)).ToList();
        var removed = new SortedDictionary<string, string>(_removed.Where(r => !next.Contains(r.Key)).ToDictionary(), StringComparer.Ordinal);
        foreach (var m in gone) removed[m.Id] = m.Node;
        if (removed.Count != _removed.Count || gone.Count > 0) Put(RemovedReplicasKey, JsonSerializer.Serialize(removed));
        return gone;
    }

    /// <summary>Everything needed to rebuild this state machine, sessions included.</summary>
    public byte[] TakeSnapshot()
    {
        using var stream = new MemoryStream();
        WriteSnapshot(stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes the snapshot to a stream. Keys in ordinal order, sessions and their results by id: the same state gives
    /// the same bytes whatever history built it, so replicas' snapshots at one index are byte-identical.
    /// </summary>
    public void WriteSnapshot(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(SnapshotFormat);
        w.Write(LastAppliedIndex);
        w.Write(_data.Count);
        foreach (var key in _data.Keys.Order(StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(_data[key]);
        }
        w.Write(_sessions.Count);
        foreach (var id in _sessions.Keys.Order())
        {
            var session = _sessions[id];
            w.Write(id);
            w.Write(session.AckedBelow);
            w.Write(session.Results.Count);
            foreach (var (sequence, result) in session.Results)
            {
                w.Write(sequence);
                w.Write((byte)result.Status);
                w.Write(result.ValueOmitted);
                Command.WriteOptional(w, result.Value);
            }
        }
    }

    /// <summary>Replaces this state machine's whole state with a snapshot's.</summary>
    public void Restore(byte[] snapshot) => Restore(new MemoryStream(snapshot, writable: false));

    /// <summary>Replaces this state machine's whole state with a snapshot's; on a malformed snapshot it throws and changes nothing.</summary>
    public void Restore(Stream snapshot)
    {
        using var r = new BinaryReader(snapshot, Encoding.UTF8, leaveOpen: true);
        var format = r.ReadByte();
        if (format != SnapshotFormat) throw new InvalidDataException($"unknown snapshot format {format}");
        var lastApplied = r.ReadInt64();
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var key = r.ReadString();
            var value = r.ReadString();
            data[key] = value;
            bytes += EntryBytes(key, value);
        }
        var sessions = new Dictionary<long, ClientSession>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var session = new ClientSession();
            sessions[r.ReadInt64()] = session;
            session.AckedBelow = r.ReadInt64();
            for (var m = r.ReadInt32(); m > 0; m--)
            {
                var sequence = r.ReadInt64();
                var status = (ApplyStatus)r.ReadByte();
                var omitted = r.ReadBoolean();
                session.Results[sequence] = new ApplyResult(status, Command.ReadOptional(r), omitted);
            }
        }

        var removed = ReadRemoved(data.GetValueOrDefault(RemovedReplicasKey));

        _data.Clear();
        foreach (var (k, v) in data) _data[k] = v;
        _sessions.Clear();
        foreach (var (id, s) in sessions) _sessions[id] = s;
        LastAppliedIndex = lastApplied;
        DataBytes = bytes;
        _removed = removed;
    }

    private static Dictionary<string, string> ReadRemoved(string? json) =>
        json is null ? new(StringComparer.Ordinal) : new(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal);

    /// <summary>What a session remembers of a result: no value for a success (a retry carries it), and a bounded one for a failed compare.</summary>
    private static ApplyResult Summarize(ApplyResult result) => result.Status switch
    {
        ApplyStatus.CompareFailed when result.Value is { Length: > MaxRecordedValueChars } => new(ApplyStatus.CompareFailed, null, ValueOmitted: true),
        ApplyStatus.CompareFailed => result,
        _ => result with { Value = null },
    };

    private ApplyResult ApplyWrite(Command command)
    {
        switch (command.Operation)
        {
            case CommandOperation.Set:
                Put(command.Key, command.Value ?? "");
                return new(ApplyStatus.Ok, command.Value);
            case CommandOperation.Delete:
                if (!_data.Remove(command.Key, out var old)) return new(ApplyStatus.NotFound, null);
                DataBytes -= EntryBytes(command.Key, old);
                if (command.Key == RemovedReplicasKey) _removed = ReadRemoved(null);
                return new(ApplyStatus.Ok, old);
            case CommandOperation.CompareAndSet:
                var exists = _data.TryGetValue(command.Key, out var current);
                // Expected null means "only if the key does not exist".
                var matches = command.Expected is null ? !exists : exists && current == command.Expected;
                if (!matches) return new(ApplyStatus.CompareFailed, current);
                Put(command.Key, command.Value ?? "");
                return new(ApplyStatus.Ok, command.Value);
            case CommandOperation.Append:
                Put(command.Key, (_data.GetValueOrDefault(command.Key) ?? "") + command.Value);
                return new(ApplyStatus.Ok, null);
            default:
                throw new InvalidDataException($"unknown operation {command.Operation}");
        }
    }

    private void Put(string key, string value)
    {
        if (_data.TryGetValue(key, out var old)) DataBytes -= EntryBytes(key, old);
        _data[key] = value;
        DataBytes += EntryBytes(key, value);
        if (key == RemovedReplicasKey) _removed = ReadRemoved(value);
    }
}
