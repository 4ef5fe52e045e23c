using System.Globalization;
using System.Runtime.CompilerServices;
using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Replica;

// etcd's API over the state machine: ranges, transactions, leases and watches. Leases expire by the leader's clock
// only: it keeps each lease's deadline in memory (a new leader gives every lease its whole time to live again, so none
// expires sooner than its TTL after its last renewal) and proposes a revoke when one passes; apply never reads a clock.
public sealed partial class RaftReplicaGrain
{
    // At the leader: each lease's deadline, as a timestamp of timeProvider. Cleared when leadership changes hands.
    private readonly Dictionary<long, long> _leaseDeadlines = [];

    private long _signaledRevision;

    // Marks the transaction a range becomes through the log (Raft:ReadMode Log), so it answers as a range; a control
    // character, so no client's transaction carries it.
    private const string LogRangeMarker = "\u0001range";

    // Completed and replaced whenever entries are applied: watchers wait on it for news.
    private TaskCompletionSource _appliedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The command a client request is proposed as.</summary>
    private static Command ToCommand(KvRequest request)
    {
        var session = new Command(CommandOperation.Set, request.Key, request.Value, request.Expected, request.SessionId, request.Sequence, request.AckedBelow);
        return request.Operation switch
        {
            KvOperation.Get => session with { Operation = CommandOperation.Get },
            KvOperation.Set => session with { Lease = request.Lease },
            KvOperation.Delete => session with { Operation = CommandOperation.Delete },
            // On a revision: a transaction that puts on a match and reads the key otherwise, to report what it found.
            KvOperation.CompareAndSet when request.ExpectedModRevision is { } revision => session with
            {
                Operation = CommandOperation.Txn,
                Value = null,
                Txn = new TxnCommand(
                    [new TxnCompare(request.Key, CompareTarget.ModRevision, CompareOperator.Equal, Number: revision)],
                    [TxnOp.Put(request.Key, request.Value ?? "", request.Lease)],
                    [TxnOp.Range(request.Key)]),
            },
            KvOperation.CompareAndSet => session with { Operation = CommandOperation.CompareAndSet, Lease = request.Lease },
            KvOperation.Append => session with { Operation = CommandOperation.Append },
            KvOperation.Range => session with
            {
                Operation = CommandOperation.Txn,
                Expected = LogRangeMarker,
                Txn = new TxnCommand([], [TxnOp.Range(request.Key, request.RangeEnd, request.Limit, request.KeysOnly)], []),
            },
            KvOperation.Txn => session with { Operation = CommandOperation.Txn, Key = "", Txn = ToTxn(request.Txn!) },
            KvOperation.LeaseGrant => session with { Operation = CommandOperation.LeaseGrant, Key = "", Number = (long)Math.Ceiling(request.Ttl.TotalMilliseconds) },
            KvOperation.LeaseRevoke => session with { Operation = CommandOperation.LeaseRevoke, Key = "", Number = request.Lease },
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "not an operation of the log"),
        };
    }

    private static TxnCommand ToTxn(KvTxn txn) => new(
        [.. txn.Compares.Select(c => new TxnCompare(c.Key, (CompareTarget)c.Target, (CompareOperator)c.Operator, c.Value, c.Number))],
        [.. txn.Success.Select(ToOp)],
        [.. txn.Failure.Select(ToOp)]);

    private static TxnOp ToOp(KvTxnOp op) => new((TxnOpType)op.Type, op.Key, op.RangeEnd, op.Value, op.Lease, op.Limit, op.KeysOnly, op.PrevKv);

    private static KvEntry ToWire(KeyValueEntry e) => new(e.Key, e.Value, e.CreateRevision, e.ModRevision, e.Version, e.Lease);

    private static KvTxnResult ToWire(TxnResult txn) => new(txn.Succeeded, txn.Revision, [.. txn.Results.Select(r => new KvTxnOpResult(
        (KvTxnOpType)r.Type, r.Range is null ? [] : [.. r.Range.Entries.Select(ToWire)], r.Range?.Count ?? 0, r.Range?.More ?? false, r.Deleted,
        r.Previous is null ? [] : [.. r.Previous.Select(ToWire)]))]);

    /// <summary>What the etcd API adds to an applied command's response: revisions, a transaction's results, a lease's id.</summary>
    private KvResponse Complete(KvResponse response, Command command, ApplyResult result)
    {
        response = response with { Revision = _stateMachine.Revision };
        switch (command.Operation)
        {
            case CommandOperation.Get when result.Status == ApplyStatus.Ok:
                return response with { Entry = _stateMachine.GetEntry(command.Key) is { } e ? ToWire(e) : null };
            case CommandOperation.Set or CommandOperation.CompareAndSet when result.Status == ApplyStatus.Ok:
                return response with { Entry = _stateMachine.GetEntry(command.Key) is { } put ? ToWire(put) : null };
            case CommandOperation.LeaseGrant when result.Status == ApplyStatus.Ok:
                var id = long.Parse(result.Value!, CultureInfo.InvariantCulture);
                return response with { Value = null, Lease = id };
            case CommandOperation.Txn when result.Txn is { } txn:
                var wire = ToWire(txn);
                // A range proposed through the log (Raft:ReadMode Log) answers as a range.
                if (command.Expected == LogRangeMarker && wire.Results is [var range])
                    return response with { Entries = range.Entries, Count = range.Count, More = range.More, Revision = txn.Revision };
                // A compare-and-set on a revision: the failure branch read the key.
                if (command.Key.Length > 0 && command.Txn is { Success: [{ Type: TxnOpType.Put }] } && !txn.Succeeded)
                {
                    var found = wire.Results is [{ Entries: [var current] }] ? current : null;
                    return response with
                    {
                        Status = KvStatus.CompareFailed,
                        Value = found?.Value,
                        Entry = found,
                        Revision = txn.Revision,
                        Error = $"compare failed for key {command.Key}: its mod revision is {found?.ModRevision ?? 0}",
                    };
                }
                if (command.Key.Length > 0 && command.Txn is { Success: [{ Type: TxnOpType.Put } written] })
                    return response with { Value = written.Value, Entry = _stateMachine.GetEntry(command.Key) is { } now ? ToWire(now) : null, Revision = txn.Revision };
                return response with { Txn = wire, Revision = txn.Revision };
            default:
                return response;
        }
    }

    /// <summary>A read released by a read index (or a serializable one), answered from the applied state.</summary>
    private KvResponse AnswerRead(KvRequest request, long index)
    {
        var revision = _stateMachine.Revision;
        switch (request.Operation)
        {
            case KvOperation.Range:
                var range = _stateMachine.Range(request.Key, request.RangeEnd, request.Limit, request.KeysOnly);
                return new KvResponse { Status = KvStatus.Ok, ServedBy = _name, Index = index, Revision = revision, Entries = [.. range.Entries.Select(ToWire)], Count = range.Count, More = range.More };
            case KvOperation.LeaseKeepAlive or KvOperation.LeaseTimeToLive or KvOperation.LeaseList:
                return AnswerLease(request, index);
            default:
                return _stateMachine.GetEntry(request.Key) is { } entry
                    ? new KvResponse { Status = KvStatus.Ok, Value = entry.Value, ServedBy = _name, Index = index, Revision = revision, Entry = ToWire(entry) }
                    : new KvResponse { Status = KvStatus.NotFound, ServedBy = _name, Index = index, Revision = revision, Error = $"No such key: {request.Key}" };
        }
    }

    /// <summary>Lease queries and renewals, at a leader that has just confirmed it leads.</summary>
    private KvResponse AnswerLease(KvRequest request, long index)
    {
        if (_node is not { Role: RaftRole.Leader }) return ReadFailed(_node?.LeaderId, "leadership changed");
        var now = timeProvider.GetTimestamp();
        KvLease Describe(LeaseInfo lease) => new(lease.Id, TimeSpan.FromMilliseconds(lease.TtlMillis), Remaining(lease, now), [.. lease.Keys]);
        if (request.Operation == KvOperation.LeaseList)
            return new KvResponse { Status = KvStatus.Ok, ServedBy = _name, Index = index, Revision = _stateMachine.Revision, Leases = [.. _stateMachine.LeaseIds.Select(id => Describe(_stateMachine.GetLease(id)!))] };
        if (_stateMachine.GetLease(request.Lease) is not { } found)
            return new KvResponse { Status = KvStatus.LeaseNotFound, ServedBy = _name, Index = index, Error = $"lease {request.Lease} not found: never granted, revoked, or expired" };
        if (request.Operation == KvOperation.LeaseKeepAlive) _leaseDeadlines[found.Id] = now + Ticks(found.TtlMillis);
        return new KvResponse { Status = KvStatus.Ok, ServedBy = _name, Index = index, Revision = _stateMachine.Revision, Lease = found.Id, Leases = [Describe(found)] };
    }

    private TimeSpan Remaining(LeaseInfo lease, long now)
    {
        var deadline = _leaseDeadlines.TryGetValue(lease.Id, out var d) ? d : now + Ticks(lease.TtlMillis);
        var left = deadline > now ? TimeSpan.FromSeconds((deadline - now) / (double)timeProvider.TimestampFrequency) : TimeSpan.Zero;
        return TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds));
    }

    private long Ticks(long millis) => millis * timeProvider.TimestampFrequency / 1000;

    /// <summary>
    /// At each of the leader's ticks: a lease it has not timed yet gets its whole TTL from now; one past its deadline is
    /// revoked through the log, and proposed again after an election timeout if that revoke does not commit.
    /// </summary>
    private void ExpireLeases(RaftNode node)
    {
        if (_stateMachine.LeaseIds.Count == 0 && _leaseDeadlines.Count == 0) return;
        var now = timeProvider.GetTimestamp();
        foreach (var id in _leaseDeadlines.Keys.Where(id => !_stateMachine.TryGetLeaseTtl(id, out _)).ToList()) _leaseDeadlines.Remove(id);
        foreach (var id in _stateMachine.LeaseIds)
        {
            _stateMachine.TryGetLeaseTtl(id, out var ttlMillis);
            if (!_leaseDeadlines.TryGetValue(id, out var deadline))
            {
                _leaseDeadlines[id] = now + Ticks(ttlMillis);
            }
            else if (now >= deadline)
            {
                _leaseDeadlines[id] = now + Ticks((long)(_options.TickInterval * _options.ElectionTicks).TotalMilliseconds);
                if (!node.Propose(Command.LeaseRevoke(id).Encode()).Accepted) return;
                logger.LeaseExpiring(_group, _name, id, TimeSpan.FromMilliseconds(ttlMillis));
            }
        }
    }

    /// <summary>A lease granted while this replica leads starts its TTL when the grant applies here.</summary>
    private void TimeGrantedLease(Command command, ApplyResult result, LogEntry entry)
    {
        if (command.Operation != CommandOperation.LeaseGrant || result.Status != ApplyStatus.Ok || _node is not { Role: RaftRole.Leader }) return;
        _leaseDeadlines[entry.Index] = timeProvider.GetTimestamp() + Ticks(command.Number);
    }

    /// <summary>Wakes the watchers: entries were applied.</summary>
    private void SignalApplied()
    {
        var signal = _appliedSignal;
        _appliedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
    }

    /// <summary>
    /// The changes to the keys in [key, rangeEnd) from fromRevision on, from this replica's history, then live as they
    /// apply. Items are read from the shared history as the watcher asks for them, so a watcher costs no buffer of its
    /// own; one that falls behind the history gets a Compacted item and the stream ends.
    /// </summary>
    public async IAsyncEnumerable<KvWatchEvent[]> Watch(string key, string? rangeEnd, long fromRevision, bool prevKv, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_node is null) throw new InvalidOperationException($"replica {_name} of group {_group} is not running");
        var next = fromRevision <= 0 ? _stateMachine.Revision + 1 : fromRevision;
        while (!cancellationToken.IsCancellationRequested)
        {
            var signal = _appliedSignal.Task;
            if (_node is null) throw new InvalidOperationException($"replica {_name} of group {_group} stopped");
            if (!_stateMachine.History.TryRead(next, out var changes))
            {
                var compacted = _stateMachine.History.CompactRevision;
                yield return [new KvWatchEvent(KvWatchEventType.Compacted, null, null, _stateMachine.Revision, compacted)];
                yield break;
            }
            List<KvWatchEvent>? batch = null;
            foreach (var change in changes)
            {
                next = change.Revision + 1;
                if (!InRange(change.Entry.Key, key, rangeEnd)) continue;
                (batch ??= []).Add(new KvWatchEvent(change.Type == ChangeType.Put ? KvWatchEventType.Put : KvWatchEventType.Delete,
                    ToWire(change.Entry), prevKv && change.Previous is { } p ? ToWire(p) : null, change.Revision));
            }
            if (batch is not null) yield return [.. batch];
            if (_stateMachine.History.HasAfter(next - 1)) continue; // a read returns a bounded step: more is waiting
            try
            {
                await signal.WaitAsync(_options.TickInterval * _options.ElectionTicks, timeProvider, cancellationToken);
            }
            catch (TimeoutException) when (_node is { Role: not RaftRole.Leader, LeaderId: null })
            {
                // Cut off from any leader for an election timeout, it may have stopped hearing of changes: the watch
                // goes on at a replica that hears them (etcd's watch "require leader").
                throw new InvalidOperationException($"replica {_name} of group {_group} knows no leader; watch at another replica");
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private static bool InRange(string k, string key, string? rangeEnd) => rangeEnd is null
        ? k == key
        : string.CompareOrdinal(k, key) >= 0 && (rangeEnd == KeyRange.AllFrom || string.CompareOrdinal(k, rangeEnd) < 0);
}
