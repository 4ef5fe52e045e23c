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
    // 4: keys, values and sessions; 5 adds the revision, each key's revisions, version and lease, the leases, and
    // transactions' summaries in sessions; 6 adds the watch history, within the snapshot's bounds. All three are read.
    private const byte SnapshotFormat = 6;

    /// <summary>The events a replica keeps for watchers when none is said.</summary>
    public const int DefaultHistoryCapacity = 100_000;

    private readonly Dictionary<string, string> _data = new(StringComparer.Ordinal);
    // Beside _data, for user keys only: revisions and versions, and the keys in order for ranges.
    private readonly Dictionary<string, KeyMeta> _meta = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Lease> _leases = [];
    // The changes of the command being applied, all at _revision + 1; published when it ends.
    private readonly List<ChangeEvent> _changes = [];
    private readonly Dictionary<long, ClientSession> _sessions = [];
    // Read from RemovedReplicasKey whenever it is written or restored.
    private IReadOnlyDictionary<string, string> _removed = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The bytes of keys and values a replica's watch history holds at most when none is said.</summary>
    public const long DefaultHistoryBytes = 64L * 1024 * 1024;

    /// <param name="historyCapacity">The events the watch history keeps.</param>
    /// <param name="historyBytes">The bytes of keys and values the watch history keeps at most.</param>
    /// <param name="snapshotHistoryEvents">
    /// The newest events a snapshot carries (0: none; null: the whole history). Every replica of a group must use the
    /// same bounds, so their snapshots at one index stay byte-identical.
    /// </param>
    /// <param name="snapshotHistoryBytes">The bytes of keys and values a snapshot's history holds at most (null: as the history).</param>
    public KeyValueStateMachine(int historyCapacity = DefaultHistoryCapacity, long historyBytes = DefaultHistoryBytes, int? snapshotHistoryEvents = null, long? snapshotHistoryBytes = null)
    {
        History = new WatchHistory(historyCapacity, historyBytes);
        // The whole history by default, as etcd's backend keeps every revision until a compaction: a replica that
        // restarts or joins from a snapshot serves the same watchers its peers can.
        _snapshotHistoryEvents = snapshotHistoryEvents is null or >= 0 ? Math.Min(snapshotHistoryEvents ?? historyCapacity, historyCapacity) : throw new ArgumentOutOfRangeException(nameof(snapshotHistoryEvents));
        _snapshotHistoryBytes = snapshotHistoryBytes is null or >= 0 ? Math.Min(snapshotHistoryBytes ?? historyBytes, historyBytes) : throw new ArgumentOutOfRangeException(nameof(snapshotHistoryBytes));
    }

    private readonly int _snapshotHistoryEvents;
    private readonly long _snapshotHistoryBytes;

    private sealed class Lease(long ttlMillis)
    {
        public long TtlMillis { get; } = ttlMillis;
        public SortedSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    public long LastAppliedIndex { get; private set; }

    /// <summary>
    /// The group's revision: how many applied commands changed a user key (a transaction, however many keys it writes,
    /// is one). Starts at 0; the same log gives the same revisions on every replica.
    /// </summary>
    public long Revision { get; private set; }

    /// <summary>The latest changes, for watchers.</summary>
    public WatchHistory History { get; }

    /// <summary>The granted leases' ids, in order.</summary>
    public IReadOnlyCollection<long> LeaseIds => _leases.Keys;

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

    /// <summary>A user key with its revisions, or null.</summary>
    public KeyValueEntry? GetEntry(string key, bool keysOnly = false) =>
        _meta.TryGetValue(key, out var meta) ? Entry(key, meta, keysOnly) : null;

    /// <summary>A lease's time to live in milliseconds, without copying its keys; false when there is no such lease.</summary>
    public bool TryGetLeaseTtl(long id, out long ttlMillis)
    {
        var found = _leases.TryGetValue(id, out var lease);
        ttlMillis = lease?.TtlMillis ?? 0;
        return found;
    }

    /// <summary>A lease and its keys, or null.</summary>
    public LeaseInfo? GetLease(long id) => _leases.TryGetValue(id, out var lease) ? new LeaseInfo(id, lease.TtlMillis, [.. lease.Keys]) : null;

    /// <summary>True when key is the state machine's own (a control character first): no client can touch one.</summary>
    public static bool IsInternal(string key) => key.Length > 0 && key[0] < ' ';

    /// <summary>
    /// The end of the range of every key that starts with prefix (etcd's convention): the prefix with its last char
    /// that is not the highest incremented, or "\0" (every key from the start on) when there is none.
    /// </summary>
    public static string PrefixEnd(string prefix)
    {
        var chars = prefix.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] == char.MaxValue) continue;
            chars[i]++;
            return new string(chars, 0, i + 1);
        }
        return "\0";
    }

    /// <summary>
    /// The user keys in [key, rangeEnd) in ordinal order: rangeEnd null is the key alone, "\0" every key from key on.
    /// At most limit entries (0: all); Count is the whole range's.
    /// </summary>
    public RangeResult Range(string key, string? rangeEnd, long limit = 0, bool keysOnly = false)
    {
        var entries = new List<KeyValueEntry>();
        long count = 0;
        foreach (var k in KeysIn(key, rangeEnd))
        {
            count++;
            if (limit <= 0 || entries.Count < limit) entries.Add(Entry(k, _meta[k], keysOnly));
        }
        return new RangeResult(entries, count, count > entries.Count, Revision);
    }

    private IEnumerable<string> KeysIn(string key, string? rangeEnd)
    {
        if (rangeEnd is null)
        {
            if (_meta.ContainsKey(key)) yield return key;
            yield break;
        }
        if (_keys.Count == 0 || string.CompareOrdinal(key, _keys.Max) > 0) yield break;
        var all = rangeEnd == "\0";
        if (!all && string.CompareOrdinal(key, rangeEnd) >= 0) yield break;
        var lower = string.CompareOrdinal(key, _keys.Min) < 0 ? _keys.Min! : key;
        foreach (var k in _keys.GetViewBetween(lower, _keys.Max!))
        {
            if (!all && string.CompareOrdinal(k, rangeEnd) >= 0) yield break;
            yield return k;
        }
    }

    private KeyValueEntry Entry(string key, KeyMeta meta, bool keysOnly = false) =>
        new(key, keysOnly ? null : _data[key], meta.CreateRevision, meta.ModRevision, meta.Version, meta.Lease);

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
        try
        {
            return ApplyCommand(index, command);
        }
        finally
        {
            Publish();
        }
    }

    private ApplyResult ApplyCommand(long index, Command command)
    {
        switch (command.Operation)
        {
            case CommandOperation.Get:
                return _data.TryGetValue(command.Key, out var v) ? new(ApplyStatus.Ok, v) : new(ApplyStatus.NotFound, null);
            case CommandOperation.RegisterSession:
                _sessions[index] = new ClientSession();
                return new(ApplyStatus.Ok, null);
            case CommandOperation.ExpireSession:
                return _sessions.Remove(command.ClientId) ? new(ApplyStatus.Ok, null) : new(ApplyStatus.NotFound, null);
            case CommandOperation.LeaseRevoke:
                // Not de-duplicated: a revoke applied twice finds no lease the second time, which changes nothing.
                return RevokeLease(command.Number);
        }

        if (command.ClientId == 0) return ApplyWrite(index, command);
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

        var result = ApplyWrite(index, command);
        session.Results[command.Sequence] = Summarize(command.Operation, result);
        if (session.Results.Count > MaxResultsPerSession) session.Acknowledge(session.Results.Keys.First() + 1);
        return result;
    }

    /// <summary>The command's changes become the next revision, and go to the watchers' history.</summary>
    private void Publish()
    {
        if (_changes.Count == 0) return;
        Revision++;
        foreach (var change in _changes) History.Add(change);
        _changes.Clear();
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
        w.Write(Revision);
        w.Write(_data.Count);
        foreach (var key in _data.Keys.Order(StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(_data[key]);
            var meta = _meta.GetValueOrDefault(key);
            // Mostly small numbers: 7-bit encoded, one or two bytes each.
            w.Write7BitEncodedInt64(meta.CreateRevision);
            w.Write7BitEncodedInt64(meta.ModRevision);
            w.Write7BitEncodedInt64(meta.Version);
            w.Write7BitEncodedInt64(meta.Lease);
        }
        w.Write(_leases.Count);
        foreach (var (id, lease) in _leases)
        {
            w.Write(id);
            w.Write(lease.TtlMillis);
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
                w.Write(result.Txn is not null);
                if (result.Txn is { } txn)
                {
                    w.Write(txn.Succeeded);
                    w.Write(txn.Revision);
                }
            }
        }
        var (compacted, tail) = History.Tail(_snapshotHistoryEvents, _snapshotHistoryBytes);
        w.Write(compacted);
        w.Write(tail.Count);
        foreach (var e in tail)
        {
            w.Write((byte)e.Type);
            WriteEntry(w, e.Entry);
            w.Write(e.Previous is not null);
            if (e.Previous is not null) WriteEntry(w, e.Previous);
        }
    }

    private static void WriteEntry(BinaryWriter w, KeyValueEntry e)
    {
        w.Write(e.Key);
        Command.WriteOptional(w, e.Value);
        w.Write7BitEncodedInt64(e.CreateRevision);
        w.Write7BitEncodedInt64(e.ModRevision);
        w.Write7BitEncodedInt64(e.Version);
        w.Write7BitEncodedInt64(e.Lease);
    }

    private static KeyValueEntry ReadEntry(BinaryReader r) =>
        new(r.ReadString(), Command.ReadOptional(r), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64());

    /// <summary>Replaces this state machine's whole state with a snapshot's.</summary>
    public void Restore(byte[] snapshot) => Restore(new MemoryStream(snapshot, writable: false));

    /// <summary>Replaces this state machine's whole state with a snapshot's; on a malformed snapshot it throws and changes nothing.</summary>
    public void Restore(Stream snapshot)
    {
        using var r = new BinaryReader(snapshot, Encoding.UTF8, leaveOpen: true);
        var format = r.ReadByte();
        if (format is not (4 or 5 or SnapshotFormat)) throw new InvalidDataException($"unknown snapshot format {format}");
        var lastApplied = r.ReadInt64();
        // A format 4 snapshot knew no revisions: its keys all date from revision 1.
        var revision = format == 4 ? 1 : r.ReadInt64();
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        var metas = new Dictionary<string, KeyMeta>(StringComparer.Ordinal);
        long bytes = 0;
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var key = r.ReadString();
            var value = r.ReadString();
            data[key] = value;
            bytes += EntryBytes(key, value);
            var meta = format == 4 ? new KeyMeta(1, 1, 1, 0) : new KeyMeta(r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64());
            if (!IsInternal(key)) metas[key] = meta;
        }
        var leases = new SortedDictionary<long, Lease>();
        if (format > 4)
        {
            for (var n = r.ReadInt32(); n > 0; n--) leases[r.ReadInt64()] = new Lease(r.ReadInt64());
        }
        foreach (var (key, meta) in metas)
        {
            if (meta.Lease == 0) continue;
            if (!leases.TryGetValue(meta.Lease, out var lease)) throw new InvalidDataException($"key {key} is attached to lease {meta.Lease}, which the snapshot lacks");
            lease.Keys.Add(key);
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
                var value = Command.ReadOptional(r);
                var txn = format > 4 && r.ReadBoolean() ? new TxnResult(r.ReadBoolean(), r.ReadInt64(), []) : null;
                session.Results[sequence] = new ApplyResult(status, value, omitted, txn);
            }
        }

        var compactRevision = revision;
        var history = new List<ChangeEvent>();
        if (format >= 6)
        {
            compactRevision = r.ReadInt64();
            for (var n = r.ReadInt32(); n > 0; n--)
            {
                var type = (ChangeType)r.ReadByte();
                var entry = ReadEntry(r);
                history.Add(new ChangeEvent(type, entry, r.ReadBoolean() ? ReadEntry(r) : null));
            }
            if (compactRevision > revision || history.Any(e => e.Revision <= compactRevision || e.Revision > revision))
                throw new InvalidDataException($"the snapshot's watch history does not fit its revision {revision}");
        }

        var removed = ReadRemoved(data.GetValueOrDefault(RemovedReplicasKey));

        _data.Clear();
        foreach (var (k, v) in data) _data[k] = v;
        _meta.Clear();
        _keys.Clear();
        foreach (var (k, meta) in metas)
        {
            _meta[k] = meta;
            _keys.Add(k);
        }
        _leases.Clear();
        foreach (var (id, lease) in leases) _leases[id] = lease;
        _sessions.Clear();
        foreach (var (id, s) in sessions) _sessions[id] = s;
        _changes.Clear();
        LastAppliedIndex = lastApplied;
        Revision = revision;
        History.Load(compactRevision, history);
        DataBytes = bytes;
        _removed = removed;
    }

    private static Dictionary<string, string> ReadRemoved(string? json) =>
        json is null ? new(StringComparer.Ordinal) : new(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal);

    /// <summary>
    /// What a session remembers of a result: no value for a success (a retry carries it) but a lease grant's id, a
    /// bounded one for a failed compare, and of a transaction which branch ran and its revision.
    /// </summary>
    private static ApplyResult Summarize(CommandOperation operation, ApplyResult result) => result.Status switch
    {
        ApplyStatus.CompareFailed when result.Value is { Length: > MaxRecordedValueChars } => new(ApplyStatus.CompareFailed, null, ValueOmitted: true),
        ApplyStatus.CompareFailed => result,
        _ when result.Txn is { } txn => result with { Value = null, Txn = txn with { Results = [] } },
        _ when operation is CommandOperation.LeaseGrant => result,
        _ => result with { Value = null },
    };

    private ApplyResult ApplyWrite(long index, Command command)
    {
        switch (command.Operation)
        {
            case CommandOperation.Set:
                if (command.Lease != 0 && !_leases.ContainsKey(command.Lease)) return LeaseNotFound(command.Lease);
                Put(command.Key, command.Value ?? "", command.Lease);
                return new(ApplyStatus.Ok, command.Value);
            case CommandOperation.Delete:
                if (!_data.TryGetValue(command.Key, out var old)) return new(ApplyStatus.NotFound, null);
                Remove(command.Key);
                return new(ApplyStatus.Ok, old);
            case CommandOperation.CompareAndSet:
                var exists = _data.TryGetValue(command.Key, out var current);
                // Expected null means "only if the key does not exist".
                var matches = command.Expected is null ? !exists : exists && current == command.Expected;
                if (!matches) return new(ApplyStatus.CompareFailed, current);
                if (command.Lease != 0 && !_leases.ContainsKey(command.Lease)) return LeaseNotFound(command.Lease);
                Put(command.Key, command.Value ?? "", command.Lease);
                return new(ApplyStatus.Ok, command.Value);
            case CommandOperation.Append:
                Put(command.Key, (_data.GetValueOrDefault(command.Key) ?? "") + command.Value, _meta.GetValueOrDefault(command.Key).Lease);
                return new(ApplyStatus.Ok, null);
            case CommandOperation.Txn:
                return ApplyTxn(command.Txn ?? throw new InvalidDataException("a transaction command without its transaction"));
            case CommandOperation.LeaseGrant:
                if (command.Number <= 0) throw new InvalidDataException($"a lease of {command.Number} ms");
                _leases[index] = new Lease(command.Number);
                return new(ApplyStatus.Ok, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                throw new InvalidDataException($"unknown operation {command.Operation}");
        }
    }

    private static ApplyResult LeaseNotFound(long lease) =>
        new(ApplyStatus.LeaseNotFound, lease.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private ApplyResult RevokeLease(long id)
    {
        if (!_leases.Remove(id, out var lease)) return LeaseNotFound(id);
        // Every key of the lease goes at one revision, as one transaction.
        foreach (var key in lease.Keys) Remove(key, detach: false);
        return new(ApplyStatus.Ok, null);
    }

    private ApplyResult ApplyTxn(TxnCommand txn)
    {
        var succeeded = txn.Compares.All(Holds);
        var ops = succeeded ? txn.Success : txn.Failure;
        // Checked before anything is written, so a transaction is applied whole or not at all.
        foreach (var op in ops)
        {
            if (op.Type == TxnOpType.Put && op.Lease != 0 && !_leases.ContainsKey(op.Lease)) return LeaseNotFound(op.Lease);
        }
        var results = new List<TxnOpResult>(ops.Count);
        foreach (var op in ops)
        {
            switch (op.Type)
            {
                case TxnOpType.Range:
                    // Reads see the transaction's own writes before them, at the revision it will have.
                    var range = Range(op.Key, op.RangeEnd, op.Limit, op.KeysOnly);
                    results.Add(new TxnOpResult(op.Type, range with { Revision = Revision + (_changes.Count > 0 ? 1 : 0) }));
                    break;
                case TxnOpType.Put:
                    var before = op.PrevKv ? GetEntry(op.Key) : null;
                    Put(op.Key, op.Value ?? "", op.Lease);
                    results.Add(new TxnOpResult(op.Type, Previous: before is null ? [] : [before]));
                    break;
                case TxnOpType.Delete:
                    var gone = KeysIn(op.Key, op.RangeEnd).ToList();
                    var previous = op.PrevKv ? gone.Select(k => Entry(k, _meta[k])).ToList() : [];
                    foreach (var key in gone) Remove(key);
                    results.Add(new TxnOpResult(op.Type, Deleted: gone.Count, Previous: previous));
                    break;
                default:
                    throw new InvalidDataException($"unknown transaction operation {op.Type}");
            }
        }
        return new(ApplyStatus.Ok, null, Txn: new TxnResult(succeeded, Revision + (_changes.Count > 0 ? 1 : 0), results));
    }

    private bool Holds(TxnCompare compare)
    {
        var found = _meta.TryGetValue(compare.Key, out var meta);
        if (compare.Target == CompareTarget.Value)
        {
            if (!found) return false;
            return Relate(string.CompareOrdinal(_data[compare.Key], compare.Value ?? ""), compare.Operator);
        }
        var actual = compare.Target switch
        {
            CompareTarget.Version => meta.Version,
            CompareTarget.CreateRevision => meta.CreateRevision,
            CompareTarget.ModRevision => meta.ModRevision,
            CompareTarget.Lease => meta.Lease,
            _ => throw new InvalidDataException($"unknown compare target {compare.Target}"),
        };
        return Relate(actual.CompareTo(compare.Number), compare.Operator);
    }

    private static bool Relate(int order, CompareOperator op) => op switch
    {
        CompareOperator.Equal => order == 0,
        CompareOperator.NotEqual => order != 0,
        CompareOperator.Less => order < 0,
        CompareOperator.Greater => order > 0,
        _ => throw new InvalidDataException($"unknown compare operator {op}"),
    };

    private void Put(string key, string value, long lease = 0)
    {
        var existed = _data.TryGetValue(key, out var old);
        if (existed) DataBytes -= EntryBytes(key, old!);
        _data[key] = value;
        DataBytes += EntryBytes(key, value);
        if (key == RemovedReplicasKey) _removed = ReadRemoved(value);
        if (IsInternal(key)) return;

        var revision = Revision + 1;
        KeyValueEntry? previous = null;
        KeyMeta meta;
        if (_meta.TryGetValue(key, out var was))
        {
            previous = new KeyValueEntry(key, old, was.CreateRevision, was.ModRevision, was.Version, was.Lease);
            if (was.Lease != lease && _leases.TryGetValue(was.Lease, out var oldLease)) oldLease.Keys.Remove(key);
            meta = new KeyMeta(was.CreateRevision, revision, was.Version + 1, lease);
        }
        else
        {
            meta = new KeyMeta(revision, revision, 1, lease);
            _keys.Add(key);
        }
        _meta[key] = meta;
        if (lease != 0) _leases[lease].Keys.Add(key);
        _changes.Add(new ChangeEvent(ChangeType.Put, new KeyValueEntry(key, value, meta.CreateRevision, revision, meta.Version, lease), previous));
    }

    private void Remove(string key, bool detach = true)
    {
        if (!_data.Remove(key, out var old)) return;
        DataBytes -= EntryBytes(key, old);
        if (key == RemovedReplicasKey) _removed = ReadRemoved(null);
        if (!_meta.Remove(key, out var was)) return;
        _keys.Remove(key);
        if (detach && was.Lease != 0 && _leases.TryGetValue(was.Lease, out var lease)) lease.Keys.Remove(key);
        var revision = Revision + 1;
        _changes.Add(new ChangeEvent(ChangeType.Delete, new KeyValueEntry(key, null, 0, revision, 0, 0),
            new KeyValueEntry(key, old, was.CreateRevision, was.ModRevision, was.Version, was.Lease)));
    }
}
