using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;
using Orleans.Raft.StateMachine;
using Orleans.Raft.Storage;
using Orleans.Runtime;

namespace Orleans.Raft.Replica;

/// <summary>
/// The shell around one <see cref="RaftNode"/>: grain timers become ticks, one-way grain calls carry messages, and
/// every Ready is persisted before its messages leave and its entries are applied.
/// </summary>
/// <remarks>
/// Reentrant, so client calls that wait for a commit interleave with the Raft messages that bring it. The core is
/// synchronous; all state that outlives an await is re-checked after it.
/// </remarks>
[Reentrant]
[Placement.RaftReplicaPlacementAttribute]
[Immovable(ImmovableKind.Any)] // its disk does not move, so neither does it
[Orleans.GrainDirectory.GrainDirectory(RaftSiloBuilderExtensions.ReplicaDirectory)]
public sealed partial class RaftReplicaGrain(
    IRaftStorage storage,
    IOptions<RaftNodeOptions> nodeOptions,
    Placement.RaftNodeLocator nodes,
    Faults.FaultInjectionState faults,
    IOptions<RaftOptions> options,
    RaftMetrics metrics,
    ReplicaEvents events,
    [FromKeyedServices(RaftSiloBuilderExtensions.ReplicaClockKey)] TimeProvider timeProvider,
    ILogger<RaftReplicaGrain> logger) : Grain, IRaftReplicaGrain, IRemindable
{
    private const string KeepAliveReminder = "raft-keepalive";

    // The highest replica number ever reserved, in the replicated state: clients cannot touch a key with a control
    // character, and it travels in snapshots, so a name is never given twice even after its replica was removed.
    private const string ReplicaNamesKey = "\u0001raft/replica-names";

    private readonly RaftOptions _options = options.Value;
    private readonly Dictionary<long, PendingProposal> _pending = [];
    // Leader only: when each session was last seen, on the monotonic clock; reset when this replica becomes leader.
    private readonly Dictionary<long, long> _sessionActivity = [];
    // Leader only: when each member's node was first seen with no active silo, on the monotonic clock. Forgotten when
    // the node comes back or this replica stops leading, so a new leader counts afresh.
    private readonly Dictionary<string, long> _deadSince = new(StringComparer.Ordinal);
    private bool _repairing;
    private string _group = "";
    private string _name = "";
    private string _member = ""; // "name@node", or the name when not pinned to a node
    private string? _homeNode;
    // Every member this activation has known, by replica name: Raft knows peers by name; their grains are keyed by
    // member. Filled from the stored members and from each configuration in force; a removed peer stays reachable for
    // the leader's last append to it.
    private Dictionary<string, string> _members = [];
    private string[] _storedMembers = []; // the bootstrap voters saved at creation or join
    private GroupConfiguration? _configuration; // the configuration last observed in the node
    // This replica was a member of an applied configuration (a created voter, or a joiner once its AddLearner applies):
    // a later applied configuration without it is its removal. Names are never reused, so removal is final.
    private bool _wasMember;
    private long _removedAt;
    private IRaftReplicaStore? _store;
    private RaftNode? _node;
    private KeyValueStateMachine _stateMachine = new();
    private IGrainTimer? _timer;
    private bool _pumping;
    private bool _pumpScheduled;
    private bool _stopped;
    private bool _hasStoredState;
    private bool _progressed; // the stored state (or the node that ran from it) left term 0, no vote, empty log
    private IGrainTimer? _waitTimer;
    private string? _storageError;
    private int _storageFailures; // drives the back-off; forgiven only after a run of good writes, so a flapping disk backs off too
    private int _goodWrites;
    private IGrainTimer? _recoveryTimer;
    private RaftRole _lastRole;
    private string? _lastLeader;
    // Ticks since a peer's message last arrived: a replica that hears from no one for an election timeout asks
    // whether it was removed (a removed learner never campaigns, so no peer would otherwise tell it).
    private int _silentTicks;
    private bool _askingWhetherRemoved;
    private readonly HashSet<string> _toldRemoved = new(StringComparer.Ordinal); // logged once per activation
    private ReplicaReferences? _peers;
    // The latest TimeoutNow this replica sent, and in which term: after a transfer ends unseen, the target may have won.
    private (string To, long Term)? _timeoutNowSent;
    private ReplicaTraffic? _traffic;

    private sealed record PendingProposal(long Term, TaskCompletionSource<KvResponse> Completion, long StartTimestamp, Activity? Trace);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_group, _member) = ReplicaKey.Parse(this.GetPrimaryKeyString());
        (_name, _homeNode) = ReplicaKey.SplitMember(_member);
        // Placement never puts it elsewhere; this guards against a director that would.
        if (_homeNode is not null && _homeNode != nodeOptions.Value.Name)
            throw new InvalidOperationException($"replica {_name} of group {_group} lives on node {_homeNode}, not on this silo's node '{nodeOptions.Value.Name}'");
        PersistedReplicaState state;
        try
        {
            _store = await storage.OpenAsync(_group, _member, cancellationToken);
            state = await _store.LoadAsync(cancellationToken);
        }
        catch (StorageFailedException ex)
        {
            // Stay active and failed: throwing here would reactivate, and reopen, on every incoming message.
            EnterStorageFailure(ex);
            return;
        }
        await ResumeAsync(state);
    }

    /// <summary>Runs the replica from the state just loaded, unless it was stopped or its group is not yet created.</summary>
    private async Task ResumeAsync(PersistedReplicaState state)
    {
        _hasStoredState = state.IsConfigured;
        _progressed = state.IsConfigured && !IsPristine(state);
        RememberMembers(state.Members);
        // A replica stopped by fault injection stays down even if Orleans reactivates it elsewhere.
        if (!state.IsConfigured || _stopped || IsStoppedByFault) return;
        if (_progressed || IsJoiner(state.Members))
        {
            StartNode(state);
            await KeepAliveAsync();
        }
        else
        {
            WaitForGroup();
        }
    }

    /// <summary>
    /// A replica that joined a running group stores the group's bootstrap configuration, in which it does not appear
    /// (names are never reused): it learns its membership from the log or a snapshot, and never campaigns before.
    /// </summary>
    private bool IsJoiner(string[] storedMembers) => storedMembers.Length > 0 && !storedMembers.Contains(_member);

    private static bool IsPristine(PersistedReplicaState state) =>
        state.HardState.CurrentTerm == 0 && state.HardState.VotedFor is null && state.Entries.Count == 0 && state.Snapshot is null;

    private static bool IsPristine(RaftStatus status) => status.Term == 0 && status.VotedFor is null && status.LastIndex == 0;

    /// <summary>
    /// A replica that never progressed runs only once every member has stored its members: until a group's creation is
    /// complete, none of its replicas leaves term 0, so a creation cut short by a crash can still be completed safely
    /// (see <see cref="RaftGroupBootstrapper.StartGroupAsync"/>).
    /// </summary>
    private async Task<bool> GroupCreatedAsync(string[] members)
    {
        // Off the turn's synchronous start: a local call made there runs under this activation's message-loop lock, and
        // two replicas asking each other at once would each wait for the other's lock.
        await Task.Yield();
        try
        {
            var statuses = await Task.WhenAll(members.Where(m => m != _member)
                .Select(m => GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(_group, m)).GetStatus()));
            return statuses.All(s => s.HasStoredState);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.GroupCreatedQueryFailed(ex, _group, _name);
            return false;
        }
    }

    /// <summary>Polls the other members until the group's creation is complete, then starts.</summary>
    private void WaitForGroup()
    {
        if (_waitTimer is not null) return;
        _waitTimer = this.RegisterGrainTimer(async _ => await TryStartCreatedGroupAsync(), new GrainTimerCreationOptions
        {
            DueTime = _options.TickInterval,
            Period = _options.TickInterval,
            Interleave = true,
            KeepAlive = true,
        });
        logger.ReplicaWaitsForGroup(_group, _name);
    }

    /// <summary>Starts a replica that waits for its group's creation, if the creation is now complete; true when it runs.</summary>
    private async Task<bool> TryStartCreatedGroupAsync()
    {
        if (_node is null && !_stopped && !IsStoppedByFault && _store is { } store)
        {
            var state = await store.LoadAsync();
            if (!state.IsConfigured || (IsPristine(state) && !IsJoiner(state.Members) && !await GroupCreatedAsync(state.Members))) return false;
            if (_node is null && !_stopped && ReferenceEquals(store, _store)) StartNode(state);
        }
        _waitTimer?.Dispose();
        _waitTimer = null;
        return _node is not null;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopNode($"deactivated: {reason}");
        ReactivateIfNeeded(reason);
        return Task.CompletedTask;
    }

    private bool IsStoppedByFault => faults.For(_group).Stopped.Contains(_name);

    public async Task Start(string[] members)
    {
        if (IsStoppedByFault) throw new InvalidOperationException($"replica {_name} was stopped by fault injection; start it through the fault control");
        var stored = members.Length == 0;
        // Retired (told it was removed) before or while a node's boot starts it from disk: nothing is left to start,
        // and an error here would fail the node's whole start.
        if (stored && _retiring is not null) return;
        if (stored)
        {
            if (_store is null) throw new InvalidOperationException($"replica {_name} of group {_group} cannot start: {_storageError}");
            members = _node is not null ? _storedMembers : (await _store.LoadAsync()).Members;
            if (members.Length == 0) throw new ArgumentException($"replica {_name} of group {_group} has no stored members; name them to start it");
        }
        if (!ReplicaKey.IsValidMember(_member)) throw new ArgumentException($"'{_member}' is not a valid replica name");
        if (!members.Contains(_member) && !(stored && IsJoiner(members))) throw new ArgumentException($"members [{string.Join(",", members)}] must include {_member}");
        if (members.Any(m => !ReplicaKey.IsValidMember(m)) || members.Select(ReplicaKey.NameOf).Distinct().Count() != members.Length)
            throw new ArgumentException($"members [{string.Join(",", members)}] must be valid, with distinct names");

        if (_store is null) throw new InvalidOperationException($"replica {_name} of group {_group} cannot start: {_storageError}");
        _stopped = false;
        if (_node is not null)
        {
            if (!_storedMembers.Order().SequenceEqual(members.Order()))
                throw new InvalidOperationException($"{_name} already runs, created with members [{string.Join(",", _storedMembers)}]; change members with 'member add' and 'member remove'");
            return;
        }

        var store = _store!;
        var state = await store.LoadAsync();
        if (stored && _retiring is not null) return;
        if (state.IsConfigured && !state.Members.Order().SequenceEqual(members.Order()))
            throw new InvalidOperationException($"{_name} is stored with members [{string.Join(",", state.Members)}]; change members with 'member add' and 'member remove'");
        if (!state.IsConfigured)
        {
            await store.SaveMembersAsync(members);
            state = state with { Members = members };
        }
        RememberMembers(state.Members);
        _hasStoredState = true;
        _progressed |= !IsPristine(state);
        if (IsPristine(state) && !IsJoiner(state.Members) && !await GroupCreatedAsync(state.Members))
        {
            if (_node is null && ReferenceEquals(store, _store)) WaitForGroup();
        }
        else if (_node is null && !_stopped && ReferenceEquals(store, _store))
        {
            StartNode(state);
        }
        await KeepAliveAsync();
    }

    public async Task Join(string[] bootstrap)
    {
        if (IsStoppedByFault) throw new InvalidOperationException($"replica {_name} was stopped by fault injection; start it through the fault control");
        if (!ReplicaKey.IsValidMember(_member)) throw new ArgumentException($"'{_member}' is not a valid replica name");
        if (bootstrap.Length == 0 || bootstrap.Any(m => !ReplicaKey.IsValidMember(m)) || bootstrap.Select(ReplicaKey.NameOf).Contains(_name))
            throw new ArgumentException($"the bootstrap members [{string.Join(",", bootstrap)}] must be valid and must not include {_name}: a joining replica's name is new");
        if (_store is null) throw new InvalidOperationException($"replica {_name} of group {_group} cannot join: {_storageError}");
        var store = _store;
        var state = await store.LoadAsync();
        if (state.IsConfigured && !(IsJoiner(state.Members) && state.Members.Order().SequenceEqual(bootstrap.Order())))
            throw new InvalidOperationException($"replica {_name} of group {_group} already has stored state; only a new replica can join");
        if (!state.IsConfigured)
        {
            await store.SaveMembersAsync(bootstrap);
            state = state with { Members = bootstrap };
        }
        logger.ReplicaJoining(_group, _name, string.Join(",", bootstrap));
        _stopped = false;
        _hasStoredState = true;
        if (_node is null && ReferenceEquals(store, _store)) StartNode(state);
        await KeepAliveAsync();
    }

    public async Task<KvResponse> ReserveReplicaName(TimeSpan timeout)
    {
        timeout = ClampTimeout(timeout);
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            if (LeaderOrRefusal() is { } refusal) return RetryStep<KvResponse>.Answer(refusal);
            var node = _node!;
            var reserved = _stateMachine.TryGet(ReplicaNamesKey, out var value) && long.TryParse(value, out var n) ? n : 0;
            var highest = node.Configuration.All.Select(m => m.Id).Concat(_storedMembers.Select(ReplicaKey.NameOf))
                .Select(NumberOf).Append(reserved).Max();
            var next = (highest + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Compare-and-set: a leader whose applied state lags, or a concurrent reservation, fails and tries again.
            var response = await ProposeAsync(node, new Command(CommandOperation.CompareAndSet, ReplicaNamesKey, next, value), remaining);
            switch (response.Status)
            {
                case KvStatus.Ok:
                    logger.ReplicaNameReserved(_group, _name, $"r{next}");
                    return RetryStep<KvResponse>.Answer(response with { Value = $"r{next}" });
                case KvStatus.CompareFailed or KvStatus.NotLeader:
                    return RetryStep<KvResponse>.AfterPause;
                default:
                    return RetryStep<KvResponse>.Answer(response);
            }
        });
        return answer ?? KvResponse.Failure(KvStatus.Timeout, $"could not reserve a replica name within {timeout.TotalSeconds:0.###} s", _name);
    }

    /// <summary>The number in a name "r&lt;N&gt;", else 0.</summary>
    private static long NumberOf(string name) =>
        name.Length > 1 && name[0] == 'r' && long.TryParse(name.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    public async Task<KvResponse> ChangeMembership(MembershipChange change, TimeSpan timeout)
    {
        timeout = ClampTimeout(timeout);
        var configChange = change.Kind switch
        {
            MembershipChangeKind.AddLearner => ConfigChange.AddLearner(change.Replica, change.Node ?? ""),
            MembershipChangeKind.PromoteLearner => ConfigChange.Promote(change.Replica),
            MembershipChangeKind.Remove => ConfigChange.Remove(change.Replica),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "unknown membership change"),
        };
        var describe = Describe(configChange);
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            if (LeaderOrRefusal() is { } refusal) return RetryStep<KvResponse>.Answer(refusal);
            var node = _node!;
            if (configChange.Type is ConfigChangeType.AddLearner or ConfigChangeType.AddVoter && _stateMachine.WasRemoved(configChange.Id))
            {
                // Its old replica may still send to the group, and would be told it is out.
                var removed = $"{configChange.Id} was removed from group '{_group}', and a removed replica's name is never used again";
                logger.ConfigChangeRefused(_group, _name, describe, removed);
                return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Refused, removed, _name));
            }
            var result = node.ProposeConfigChange(configChange);
            switch (result.Refusal)
            {
                case ProposeRefusal.None:
                    logger.ConfigChangeProposed(_group, _name, describe, result.Index);
                    return RetryStep<KvResponse>.Answer(await AwaitCommitAsync(result, remaining));
                case ProposeRefusal.LeadershipTransferInProgress or ProposeRefusal.NotCommittedInTerm:
                    // Both pass within an election timeout: a transfer ends or is abandoned; a new leader commits its no-op.
                    return RetryStep<KvResponse>.AfterPause;
                case ProposeRefusal.NotLeader:
                    return RetryStep<KvResponse>.Answer(NotLeaderResponse(node.LeaderId));
                default:
                    var reason = RefusalMessage(result);
                    logger.ConfigChangeRefused(_group, _name, describe, reason);
                    return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Refused, reason, _name));
            }
        });
        return answer ?? KvResponse.Failure(KvStatus.Timeout,
            $"{describe} was not committed within {timeout.TotalSeconds:0.###} s; it may still take effect: check 'member list'", _name);
    }

    private static string Describe(ConfigChange change) => change.Type switch
    {
        ConfigChangeType.AddLearner => $"add learner {change.Id}{(change.Node.Length > 0 ? $" on node {change.Node}" : "")}",
        ConfigChangeType.AddVoter => $"add voter {change.Id}",
        ConfigChangeType.PromoteLearner => $"promote learner {change.Id}",
        _ => $"remove {change.Id}",
    };

    /// <summary>An operator's sentence for a refused membership change or transfer.</summary>
    private static string RefusalMessage(ProposeResult result) => result.Refusal switch
    {
        ProposeRefusal.ConfigChangePending =>
            $"another membership change is in progress ({result.Reason}): one change at a time; retry once it commits",
        ProposeRefusal.LeadershipTransferInProgress => $"{result.Reason}: retry once it ends",
        ProposeRefusal.NotCommittedInTerm => $"{result.Reason}: the new leader must commit first; retry shortly",
        _ => result.Reason ?? result.Refusal.ToString(),
    };

    public async Task<KvResponse> TransferLeadership(string target, TimeSpan timeout)
    {
        timeout = ClampTimeout(timeout);
        var started = false;
        var term = 0L; // the term this replica led in when it began the transfer
        var startedAt = 0L;
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            var node = _node;
            if (node is null) return RetryStep<KvResponse>.Answer(NotRunning());
            if (node.Role != RaftRole.Leader)
            {
                if (node.LeaderId == target) return RetryStep<KvResponse>.Answer(new KvResponse { Status = KvStatus.Ok, LeaderHint = target, ServedBy = _name });
                if (!started) return RetryStep<KvResponse>.Answer(NotLeaderResponse(node.LeaderId));
                // Stepped down: past the election timeout a leader gives a transfer, the replicas tell whether the target won.
                return ToldToCampaign() && timeProvider.GetElapsedTime(startedAt) >= _options.ElectionTicks * _options.TickInterval
                    ? RetryStep<KvResponse>.Answer(Undecided(target, term, $"{_name} stepped down and has not seen {target} lead within an election timeout"))
                    : RetryStep<KvResponse>.AfterPause;
            }
            if (target == _name) return RetryStep<KvResponse>.Answer(new KvResponse { Status = KvStatus.Ok, LeaderHint = _name, ServedBy = _name });
            if (started)
            {
                if (node.LeadTransferee is not null) return RetryStep<KvResponse>.AfterPause;
                if (ToldToCampaign()) return RetryStep<KvResponse>.Answer(Undecided(target, term, $"{_name} gave up after an election timeout without hearing whether it won"));
                return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Timeout,
                    $"leadership transfer to {target} did not finish within an election timeout ({target} did not catch up); {_name} still leads", _name));
            }
            var result = node.TransferLeadership(target);
            if (result.Refusal == ProposeRefusal.NotLeader) return RetryStep<KvResponse>.Answer(NotLeaderResponse(node.LeaderId));
            if (!result.Accepted) return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Refused, RefusalMessage(result), _name));
            started = true;
            term = node.CurrentTerm;
            startedAt = timeProvider.GetTimestamp();
            logger.LeadershipTransferStarted(_group, _name, target);
            await PumpAsync();
            return RetryStep<KvResponse>.AfterPause;
        });
        if (answer is not null) return answer;
        return ToldToCampaign()
            ? Undecided(target, term, $"{_name} heard of no new leader within {timeout.TotalSeconds:0.###} s")
            : KvResponse.Failure(KvStatus.Timeout, $"leadership did not pass to {target} within {timeout.TotalSeconds:0.###} s", _name);

        // The target may then win without this replica hearing of it in time: only the replicas can tell.
        bool ToldToCampaign() => started && _timeoutNowSent == (target, term);
    }

    private KvResponse Undecided(string target, long term, string why) => new()
    {
        Status = KvStatus.Timeout,
        Error = $"{target} was told to campaign, but {why} ({_name} led in term {term})",
        ServedBy = _name,
        UndecidedTransferTerm = term,
    };

    private TimeSpan ClampTimeout(TimeSpan timeout) => timeout <= TimeSpan.Zero || timeout > _options.RequestTimeout ? _options.RequestTimeout : timeout;

    /// <summary>Null when this replica runs and leads; else the answer saying why not.</summary>
    private KvResponse? LeaderOrRefusal() => _node switch
    {
        null => NotRunning(),
        { Role: not RaftRole.Leader } node => NotLeaderResponse(node.LeaderId),
        _ => null,
    };

    private KvResponse NotRunning() => KvResponse.Failure(KvStatus.Unavailable, $"replica {_name} of group {_group} is not running", _name);

    private KvResponse NotLeaderResponse(string? leader) =>
        new() { Status = KvStatus.NotLeader, LeaderHint = leader, ServedBy = _name, Error = leader is null ? "no leader is known" : $"the leader is {leader}" };

    public Task Stop()
    {
        if (_node is not null) logger.ReplicaStopped(_group, _name);
        _stopped = true;
        StopNode("stopped");
        return Task.CompletedTask;
    }

    public Task<string?> ReadLocal(string key) =>
        Task.FromResult(_stateMachine.TryGet(key, out var value) ? value : null);

    public Task<LogPosition[]> GetLogPositions(long fromIndex, long toIndex)
    {
        if (_node is not { } node) return Task.FromResult<LogPosition[]>([]);
        var from = Math.Max(fromIndex, node.Log.FirstIndex);
        var to = Math.Min(toIndex, node.Log.LastIndex);
        var positions = new List<LogPosition>();
        for (var i = from; i <= to; i++) positions.Add(new LogPosition(i, node.Log.TermAt(i)!.Value));
        return Task.FromResult(positions.ToArray());
    }

    public Task Deactivate()
    {
        StopNode("deactivated on request");
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    // Set while retiring: a removed replica retires itself and the membership operation asks too; both await one retirement.
    private Task? _retiring;

    public Task Retire()
    {
        if (_retiring is { IsFaulted: true }) _retiring = null; // a failed attempt may be tried again
        return _retiring ??= RetireOnceAsync();
    }

    private async Task RetireOnceAsync()
    {
        _stopped = true;
        StopNode("retired");
        _hasStoredState = false;
        _progressed = false;
        if (_store is null) throw new InvalidOperationException($"replica {_name} of group {_group} cannot be retired: {_storageError}");
        var reminder = await this.GetReminder(KeepAliveReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
        await _store!.DeleteAsync();
        DeactivateOnIdle();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_homeNode is not null) return DropReminderAsync(reminderName);
        // Activation alone restarts the node; registering again keeps the directory whole if its silo died.
        if (_node is { } node) RegisterConfiguration(node);
        return Task.CompletedTask;
    }

    public Task Deliver(RaftEnvelope message)
    {
        if (message.To != _name) return Task.CompletedTask;
        // A message from a running member means the group's creation is complete: check now rather than at the next poll,
        // or a forced election right after creation loses its votes to replicas still waiting.
        if (_node is null && _waitTimer is not null) return StartThenDeliverAsync(message);
        if (_node is null) return Task.CompletedTask;
        if (_stateMachine.RemovedReplicas.TryGetValue(message.From, out var removedNode))
        {
            // Not processed: the sender is told it is out, and retires.
            TellRemoved(message.From, removedNode, ((MessageType)message.Type).ToString());
            return Task.CompletedTask;
        }
        _silentTicks = 0;
        // A peer this replica's configuration does not list yet (a leader added while it was cut off) must get its replies.
        if (!_members.ContainsKey(message.From) && message.FromMember is { } fromMember && ReplicaKey.IsValidMember(fromMember)
            && ReplicaKey.NameOf(fromMember) == message.From)
            _members[message.From] = fromMember;
        RaftMessage m;
        try
        {
            m = EnvelopeMapper.FromWire(message);
        }
        catch (Exception ex)
        {
            logger.MalformedMessageDropped(ex, _name, message.From);
            return Task.CompletedTask;
        }
        Traffic.Received(m.Type, m.From, m.Index, m.Offset, m.Done);
        _node.Step(m);
        SchedulePump();
        return Task.CompletedTask;
    }

    private async Task StartThenDeliverAsync(RaftEnvelope message)
    {
        if (await TryStartCreatedGroupAsync()) await Deliver(message);
    }

    /// <summary>Tells a replica that this one's applied state records as removed that it is out, so that it retires.</summary>
    private void TellRemoved(string removed, string node, string what)
    {
        if (_toldRemoved.Add(removed)) logger.RemovedSenderTold(_group, _name, removed, what);
        if (node.Length > 0 && !nodes.IsUp(node)) return;
        try
        {
            GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(_group, ReplicaKey.Member(removed, node.Length > 0 ? node : null)))
                .NotifyRemoved(removed, _name).Ignore();
        }
        catch (Exception ex)
        {
            logger.SendFailed(ex, _name, removed);
        }
    }

    public async Task NotifyRemoved(string replica, string by)
    {
        if (replica != _name)
        {
            if (replica.Length > 0) logger.RemovedNoticeIgnored(_group, _name, replica, by);
            return;
        }
        // Already retiring, or nothing here to retire (a later activation of a retired replica).
        if (_retiring is { IsFaulted: false } || (_node is null && !_hasStoredState && _store is not null)) return;
        logger.RemovedNoticeReceived(_group, _name, by);
        try
        {
            await Retire();
            logger.RetiredAfterNotice(_group, _name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.RetireAfterNoticeFailed(ex, _group, _name, by);
        }
    }

    public Task CheckRemoved(string member)
    {
        if (_node is null || member.Length == 0) return Task.CompletedTask;
        var name = ReplicaKey.NameOf(member);
        if (_stateMachine.RemovedReplicas.TryGetValue(name, out var node)) TellRemoved(name, node, "asked whether it was removed");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks the peers of its configuration, and the members the group's directory lists, whether this replica was
    /// removed. Only a peer whose applied state records the removal answers, so a replica that is still a member, or
    /// one that just joined, is never told it is out.
    /// </summary>
    private async Task AskWhetherRemovedAsync(RaftNode node)
    {
        if (_askingWhetherRemoved) return;
        _askingWhetherRemoved = true;
        try
        {
            var peers = node.Configuration.All.Where(m => m.Id != _name).Select(MemberOf).ToHashSet(StringComparer.Ordinal);
            try
            {
                foreach (var m in await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(_group).GetMembers()) peers.Add(m);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.RemovalCheckFailed(ex, _group, _name);
            }
            var reachable = peers.Where(p => ReplicaKey.NameOf(p) != _name && (ReplicaKey.SplitMember(p).Node is not { } n || nodes.IsUp(n))).Order(StringComparer.Ordinal).ToArray();
            if (reachable.Length == 0 || !ReferenceEquals(node, _node)) return;
            logger.AskingWhetherRemoved(_group, _name, string.Join(",", reachable.Select(ReplicaKey.NameOf)));
            foreach (var peer in reachable) GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(_group, peer)).CheckRemoved(_member).Ignore();
        }
        finally
        {
            _askingWhetherRemoved = false;
        }
    }

    public async Task StartElection()
    {
        // A replica of a group whose creation just completed may not have noticed yet: an election request checks now.
        if (_node is null && _waitTimer is not null) await TryStartCreatedGroupAsync();
        if (_node is null) throw new InvalidOperationException($"replica {_name} of group {_group} is not running");
        // A forced election ignores leader leases, on which lease reads rely.
        _node.Campaign(force: _options.ReadMode != RaftReadMode.Lease);
        await PumpAsync();
    }

    public Task<ReplicaStatus> GetStatus()
    {
        var status = _node?.Status();
        var hasStoredState = status is not null || _hasStoredState;
        return Task.FromResult(new ReplicaStatus
        {
            Group = _group,
            Replica = _name,
            Node = _homeNode,
            Silo = RuntimeIdentity,
            Running = status is not null,
            Role = status is null ? ReplicaRole.Stopped : ToReplicaRole(status.Role),
            CurrentTerm = status?.Term ?? 0,
            LeaderId = status?.LeaderId,
            VotedFor = status?.VotedFor,
            CommitIndex = status?.CommitIndex ?? 0,
            LastApplied = status?.Applied ?? 0,
            LastLogIndex = status?.LastIndex ?? 0,
            LastLogTerm = status?.LastTerm ?? 0,
            SnapshotIndex = status?.SnapshotIndex ?? 0,
            Members = status is null ? [] : [.. status.Configuration.Voters.Select(MemberOf)],
            Learners = status is null ? [] : [.. status.Configuration.Learners.Select(MemberOf)],
            Membership = status is null ? MemberRole.None
                : status.Configuration.IsVoter(_name) ? MemberRole.Voter
                : status.Configuration.IsLearner(_name) ? MemberRole.Learner : MemberRole.None,
            ConfigChangePending = status is not null && status.PendingConfigIndex > status.CommitIndex,
            BootstrapMembers = _storedMembers,
            DeadNodes = _deadSince.ToDictionary(d => d.Key, d => timeProvider.GetElapsedTime(d.Value)),
            RemovedReplicas = status is null ? [] : [.. _stateMachine.RemovedReplicas.Select(r => ReplicaKey.Member(r.Key, r.Value.Length > 0 ? r.Value : null))],
            LeadTransferee = status?.LeadTransferee,
            Peers = status is { Role: RaftRole.Leader } ? PeersOf(status) : [],
            HasStoredState = hasStoredState,
            PendingRequests = _pending.Count + _reads.Count,
            Quiesced = _node?.Quiesced ?? false,
            Ticking = _timer is not null,
            NeverProgressed = hasStoredState && !_progressed && (status is null || IsPristine(status)),
            Error = _storageError ?? (_homeNode is not null && !hasStoredState && status is null
                ? $"node {_homeNode} holds no state for replica {_name}: it was never created here, it was retired after its removal from the group, or this node's data directory was lost"
                : null),
        });
    }

    // The tracker is the leader's alone; a copy of it when asked, so nothing is added per Raft message.
    private static PeerProgress[] PeersOf(RaftStatus status) => [.. status.Progress
        .Where(p => p.Key != status.Id)
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => new PeerProgress
        {
            Replica = p.Key,
            State = p.Value.State switch
            {
                ProgressState.Replicate => ReplicationState.Replicate,
                ProgressState.Snapshot => ReplicationState.Snapshot,
                _ => ReplicationState.Probe,
            },
            MatchIndex = p.Value.MatchIndex,
            NextIndex = p.Value.NextIndex,
            Lag = Math.Max(0, status.LastIndex - p.Value.MatchIndex),
            IsLearner = p.Value.IsLearner,
            RecentActive = p.Value.RecentActive,
        })];

    public async Task<KvResponse> Execute(KvRequest request, bool forward, TimeSpan timeout)
    {
        if (RequestValidator.Validate(request, _options) is { } error) return KvResponse.Failure(KvStatus.InvalidRequest, error.Message, _name);
        if (request.IsSerializableRead) return SerializableRead(request);
        if (timeout <= TimeSpan.Zero || timeout > _options.RequestTimeout) timeout = _options.RequestTimeout;
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            var node = _node;
            if (node is null) return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Unavailable, $"replica {_name} of group {_group} is not running", _name));

            var read = request.Operation is KvOperation.Get or KvOperation.Range && ReadsSkipLog;
            // Lease queries and renewals need the leader's clock: the leader confirms it leads and answers; a follower forwards.
            var leaseQuery = request.Operation is KvOperation.LeaseKeepAlive or KvOperation.LeaseTimeToLive or KvOperation.LeaseList;
            // A leader handing over still serves reads: it leads until the target wins.
            if (node.Role == RaftRole.Leader && (read || leaseQuery)) return await ReadAsync(node, request, remaining);

            // A planned handover takes no proposals for at most an election timeout: wait it out, then follow the new leader.
            if (node.Role == RaftRole.Leader && node.LeadTransferee is not null) return RetryStep<KvResponse>.AfterPause;
            if (node.Role == RaftRole.Leader)
            {
                var proposed = await ProposeRequestAsync(node, request, remaining);
                if (request.Operation == KvOperation.Get && proposed.Status is KvStatus.Ok or KvStatus.NotFound) metrics.CountRead(_group, ReadPath.Log);
                return RetryStep<KvResponse>.Answer(proposed);
            }

            var leader = node.LeaderId;
            if (!forward)
                return RetryStep<KvResponse>.Answer(new KvResponse { Status = KvStatus.NotLeader, LeaderHint = leader, ServedBy = _name, Error = leader is null ? "no leader is known" : $"the leader is {leader}" });

            // A follower serves a read itself: its core asks the leader for the read index.
            if (read) return await ReadAsync(node, request, remaining);

            if (leader is not null && leader != _name)
            {
                try
                {
                    var response = await Peer(MemberOf(leader))
                        .Execute(request, forward: false, remaining).WaitAsync(remaining);
                    if (response.Status != KvStatus.NotLeader && response.Status != KvStatus.Unavailable) return RetryStep<KvResponse>.Answer(response);
                    // Without a session a retry could apply the write twice: only a definite NotLeader is retried.
                    if (response.Status == KvStatus.Unavailable && request.IsWrite && request.SessionId == 0) return RetryStep<KvResponse>.Answer(response);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not TimeoutException)
                {
                    logger.ForwardingFailed(ex, _name, leader);
                }
            }

            // No reachable leader yet: wait a tick for an election to settle.
            return RetryStep<KvResponse>.AfterPause;
        });

        return answer ?? KvResponse.Failure(KvStatus.Timeout, $"Request timed out after {timeout.TotalSeconds:0.###} s: no leader reachable from {_name}", _name);
    }

    public Task<KvResponse> OpenSession(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero || timeout > _options.RequestTimeout) timeout = _options.RequestTimeout;
        var node = _node;
        if (node is null) return Task.FromResult(KvResponse.Failure(KvStatus.Unavailable, $"replica {_name} of group {_group} is not running", _name));
        if (node.Role != RaftRole.Leader)
            return Task.FromResult(new KvResponse { Status = KvStatus.NotLeader, LeaderHint = node.LeaderId, ServedBy = _name, Error = node.LeaderId is null ? "no leader is known" : $"the leader is {node.LeaderId}" });
        return ProposeAsync(node, Command.RegisterSession(), timeout);
    }

    private Task<KvResponse> ProposeRequestAsync(RaftNode node, KvRequest request, TimeSpan remaining)
    {
        if (StateLimitError(request) is { } full) return Task.FromResult(KvResponse.Failure(KvStatus.InvalidRequest, full, _name));
        if (request.SessionId != 0) _sessionActivity[request.SessionId] = timeProvider.GetTimestamp();
        return ProposeAsync(node, ToCommand(request), remaining);
    }

    /// <summary>
    /// Refuses a write that would take the state past MaxStateBytes. Checked at the leader against the applied state,
    /// so writes in flight can pass it by their own size; deletes are always allowed.
    /// </summary>
    private string? StateLimitError(KvRequest request)
    {
        if (request.Txn is { } txn)
        {
            // An upper bound: every put as if its key were new.
            var puts = txn.Success.Concat(txn.Failure).Where(o => o.Type == KvTxnOpType.Put).Sum(o => KeyValueStateMachine.EntryBytes(o.Key, o.Value ?? ""));
            return puts == 0 || _stateMachine.DataBytes + puts <= _options.MaxStateBytes ? null
                : $"the group's state is full: this transaction could take it to {_stateMachine.DataBytes + puts} bytes, over Raft:MaxStateBytes ({_options.MaxStateBytes} bytes); delete keys or raise the limit";
        }
        if (request.Operation is not (KvOperation.Set or KvOperation.CompareAndSet or KvOperation.Append) || request.Value is null) return null;
        var old = _stateMachine.TryGet(request.Key, out var current) ? KeyValueStateMachine.EntryBytes(request.Key, current!) : 0;
        var grown = request.Operation == KvOperation.Append
            ? (old == 0 ? KeyValueStateMachine.EntryBytes(request.Key, request.Value) : System.Text.Encoding.UTF8.GetByteCount(request.Value))
            : KeyValueStateMachine.EntryBytes(request.Key, request.Value) - old;
        if (grown <= 0 || _stateMachine.DataBytes + grown <= _options.MaxStateBytes) return null;
        return $"the group's state is full: this write would take it to {_stateMachine.DataBytes + grown} bytes, over Raft:MaxStateBytes ({_options.MaxStateBytes} bytes); delete keys or raise the limit";
    }

    private async Task<KvResponse> ProposeAsync(RaftNode node, Command command, TimeSpan remaining)
    {
        using var activity = RaftTracing.StartAtLeader("raft.propose", _group, _name, node.CurrentTerm);
        activity?.SetTag(RaftTracing.OperationTag, command.Operation.ToString());
        var response = await ProposeCoreAsync(node, command, remaining, activity);
        RaftTracing.SetOutcome(activity, response);
        return response;
    }

    private async Task<KvResponse> ProposeCoreAsync(RaftNode node, Command command, TimeSpan remaining, Activity? activity)
    {
        var result = node.Propose(command.Encode());
        if (result.Overloaded)
        {
            metrics.ProposalsRefused.Add(1);
            metrics.CountFailedProposal(_group, ProposalFailure.Overloaded);
            return new KvResponse
            {
                Status = KvStatus.Overloaded,
                LeaderHint = result.LeaderHint,
                ServedBy = _name,
                Error = $"overloaded: leader {_name} holds {node.UncommittedEntries} uncommitted writes ({node.UncommittedBytes} bytes), at its bound; the request was not applied",
            };
        }
        if (result.Refusal == ProposeRefusal.LeadershipTransferInProgress)
            return new KvResponse { Status = KvStatus.NotLeader, LeaderHint = _name, ServedBy = _name, Error = RefusalMessage(result) };
        if (result.Refusal == ProposeRefusal.LeaderBeingRemoved)
            return new KvResponse { Status = KvStatus.NotLeader, ServedBy = _name, Error = RefusalMessage(result) };
        if (!result.Accepted)
            return new KvResponse { Status = KvStatus.NotLeader, LeaderHint = result.LeaderHint, ServedBy = _name, Error = "leadership changed" };

        metrics.Proposals.Add(1);
        activity?.SetTag(RaftTracing.IndexTag, result.Index);
        return await AwaitCommitAsync(result, remaining, activity);
    }

    /// <summary>Waits for an accepted proposal to apply, or until remaining runs out.</summary>
    private async Task<KvResponse> AwaitCommitAsync(ProposeResult result, TimeSpan remaining, Activity? activity = null)
    {
        var pending = new PendingProposal(result.Term, new TaskCompletionSource<KvResponse>(TaskCreationOptions.RunContinuationsAsynchronously), timeProvider.GetTimestamp(), activity);
        _pending[result.Index] = pending;
        SchedulePump();
        try
        {
            return await pending.Completion.Task.WaitAsync(remaining, timeProvider);
        }
        catch (TimeoutException)
        {
            // Nobody waits for it any more; the entry may still commit, and Apply copes with no pending request.
            if (_pending.TryGetValue(result.Index, out var current) && ReferenceEquals(current, pending)) _pending.Remove(result.Index);
            metrics.ProposalsTimedOut.Add(1);
            metrics.CountFailedProposal(_group, ProposalFailure.Timeout);
            return KvResponse.Failure(KvStatus.Timeout, $"Request timed out: entry {result.Index} was not committed in time; it may or may not take effect", _name);
        }
    }

    private void StartNode(PersistedReplicaState state)
    {
        var seed = _options.RandomSeed != 0 ? HashCode.Combine(_options.RandomSeed, _name) : Random.Shared.Next();
        var joiner = IsJoiner(state.Members);
        _storedMembers = state.Members;
        var config = new RaftConfig
        {
            Id = _name,
            Members = [.. state.Members.Select(ReplicaKey.NameOf)],
            Nodes = state.Members.Append(_member).Select(ReplicaKey.SplitMember).DistinctBy(m => m.Name).ToDictionary(m => m.Name, m => m.Node ?? ""),
            ElectionTick = _options.ElectionTicks,
            HeartbeatTick = _options.HeartbeatTicks,
            PreVote = _options.PreVote,
            CheckQuorum = _options.CheckQuorum,
            MaxEntriesPerMessage = _options.MaxEntriesPerMessage,
            MaxInflightMessages = _options.MaxInflightMessages,
            SnapshotChunkBytes = _options.SnapshotChunkBytes,
            MaxUncommittedEntries = _options.MaxUncommittedEntries,
            MaxUncommittedBytes = _options.MaxUncommittedBytes,
            SnapshotCatchUpEntries = _options.SnapshotCatchUpEntries,
            ReadOnlyLeaseBased = _options.ReadMode == RaftReadMode.Lease,
        };
        _hasStoredState = true;
        _stateMachine = new KeyValueStateMachine(_options.WatchHistoryEvents, _options.WatchHistoryBytes, _options.WatchHistorySnapshotEvents, _options.WatchHistorySnapshotBytes);
        SnapshotData? snapshot = null;
        if (state.Snapshot is { } stored)
        {
            // Restart from the snapshot (the store verified its checksum), then replay the log after it.
            _stateMachine.Restore(stored.Data);
            snapshot = new SnapshotData(stored.Index, stored.Term, stored.Data, stored.Checksum) { Configuration = stored.Configuration };
        }
        _wasMember = !joiner || snapshot?.Configuration?.Contains(_name) == true;
        _removedAt = 0;
        _configuration = null;
        _node = new RaftNode(config, state.HardState, state.Entries, new SeededRaftRandom(seed), snapshot);
        _lastRole = _node.Role;
        _lastLeader = null;
        StartTicking();
        ObserveConfiguration(_node);
        logger.ReplicaStarted(_group, _name, RuntimeIdentity, state.HardState.CurrentTerm, state.Entries.Count, seed);
        events.Raise(new ReplicaEvent(ReplicaEventKind.Started, _group, _name, state.HardState.CurrentTerm));
        _ = PumpAsync(); // re-apply what was committed before a restart
    }

    private void StopNode(string reason)
    {
        if (_node is { } node && !IsPristine(node.Status())) _progressed = true;
        if (_node is { } stopping) events.Raise(new ReplicaEvent(ReplicaEventKind.Stopped, _group, _name, stopping.CurrentTerm, Detail: reason));
        _waitTimer?.Dispose();
        _waitTimer = null;
        _timer?.Dispose();
        _timer = null;
        _node = null;
        ForgetQuiescence();
        metrics.Forget(_group, _name);
        FailPending(new KvResponse { Status = KvStatus.Unavailable, ServedBy = _name, Error = $"replica {_name} stopped ({reason}); the request may or may not take effect" }, ProposalFailure.Stopped);
        FailReads($"replica {_name} stopped ({reason})");
        _leaseDeadlines.Clear();
        SignalApplied(); // its watchers find it stopped, and go on elsewhere
    }

    private Task OnTickAsync(CancellationToken cancellationToken)
    {
        // A tick queued before the timer stopped finds the node quiesced: it has nothing to do.
        if (_node is null || _node.Quiesced) return Task.CompletedTask;
        if (MaybeQuiesce(_node)) return PumpAsync();
        metrics.Ticks.Add(1);
        _node.Tick();
        if (_node.Role == RaftRole.Leader)
        {
            _silentTicks = 0;
            ExpireIdleSessions(_node);
            ExpireLeases(_node);
            WatchDeadNodes(_node);
        }
        else
        {
            _deadSince.Clear();
            if (++_silentTicks >= _options.ElectionTicks)
            {
                _silentTicks = 0;
                _ = AskWhetherRemovedAsync(_node);
            }
        }
        return PumpAsync();
    }

    /// <summary>
    /// The leader decides session expiry and writes it to the log, so every replica expires the same sessions at the
    /// same index; apply never reads a clock. A session unseen since this replica became leader counts from then.
    /// </summary>
    private void ExpireIdleSessions(RaftNode node)
    {
        var now = timeProvider.GetTimestamp();
        foreach (var id in _sessionActivity.Keys.Where(id => !_stateMachine.HasSession(id)).ToList()) _sessionActivity.Remove(id);
        foreach (var id in _stateMachine.Sessions)
        {
            if (!_sessionActivity.TryGetValue(id, out var last))
            {
                _sessionActivity[id] = now;
            }
            else if (timeProvider.GetElapsedTime(last, now) > _options.SessionTimeout)
            {
                // Proposed again only after another timeout, if this one does not commit.
                _sessionActivity[id] = now;
                if (!node.Propose(Command.ExpireSession(id).Encode()).Accepted) return;
                logger.SessionExpiring(_group, _name, id, _options.SessionTimeout);
            }
        }
    }

    /// <summary>
    /// Self-repair starts here: the leader alone knows the committed configuration with each member's node, and there is
    /// one leader per term, so one place per group decides. The work itself is the membership grain's (one activation
    /// per group, which also refuses a second repair of the same replica), reusing its add and remove.
    /// </summary>
    private void WatchDeadNodes(RaftNode node)
    {
        var now = timeProvider.GetTimestamp();
        var members = node.Configuration.All.Where(m => m.Node.Length > 0 && m.Id != _name).ToArray();
        foreach (var seen in _deadSince.Keys.ToList())
        {
            if (members.Any(m => m.Node == seen) && !nodes.IsUp(seen)) continue;
            _deadSince.Remove(seen);
            if (members.Any(m => m.Node == seen)) logger.MemberNodeBack(_group, _name, seen);
        }
        foreach (var member in members)
        {
            if (nodes.IsUp(member.Node)) continue;
            if (!_deadSince.TryGetValue(member.Node, out var since))
            {
                _deadSince[member.Node] = now;
                logger.MemberNodeDead(_group, _name, member.Node, member.Id, _options.ReplaceDeadNodeAfter);
                continue;
            }
            var dead = timeProvider.GetElapsedTime(since, now);
            if (_options.ReplaceDeadNodeAfter <= TimeSpan.Zero || dead < _options.ReplaceDeadNodeAfter || _repairing) continue;
            if (node.Status().PendingConfigIndex > node.CommitIndex || node.LeadTransferee is not null) continue;
            _repairing = true;
            logger.DeadMemberReplacing(_group, _name, member.Node, member.Id, dead);
            _ = ReplaceDeadMemberAsync(member.Id, member.Node);
        }
    }

    private async Task ReplaceDeadMemberAsync(string replica, string deadNode)
    {
        try
        {
            var outcome = await GrainFactory.GetGrain<IRaftMembershipGrain>(_group).ReplaceDeadReplica(replica, deadNode);
            logger.DeadMemberReplaced(_group, _name, replica, outcome);
        }
        catch (Exception ex)
        {
            logger.DeadMemberReplaceFailed(ex, _group, _name, replica);
            // Not again at the next tick: a failure (no spare node, say) waits another full period.
            if (_deadSince.ContainsKey(deadNode)) _deadSince[deadNode] = timeProvider.GetTimestamp();
        }
        finally
        {
            _repairing = false;
        }
    }

    /// <summary>
    /// Pumps after the calls already queued at this activation have run, so proposals and replies that arrive
    /// together share one Ready: one write, one message per peer.
    /// </summary>
    private void SchedulePump()
    {
        if (_pumpScheduled) return;
        _pumpScheduled = true;
        _ = YieldThenPumpAsync();

        async Task YieldThenPumpAsync()
        {
            // The pump serves every request and message: it belongs to no one request's trace, and its calls must not
            // carry the trace context (or anything else) of the call that happened to start it.
            Activity.Current = null;
            RequestContext.Clear();
            await Task.Yield();
            _pumpScheduled = false;
            await PumpAsync();
        }
    }

    /// <summary>Drains Readys one at a time: send the leader's messages, persist, send the rest, apply, advance.</summary>
    private async Task PumpAsync()
    {
        if (_pumping) return;
        _pumping = true;
        try
        {
            while (_node is { HasReady: true } node)
            {
                var rd = node.GetReady();
                if (rd.LeaderMessages.Count > 0)
                {
                    // A leader replicates while it writes (§10.2.1); the core counts it toward a commit only once durable.
                    ObserveConfiguration(node);
                    foreach (var m in rd.LeaderMessages) Send(m);
                }
                if (rd.MustPersist)
                {
                    // The snapshot first: it replaces the log that the entries continue.
                    if (rd.Snapshot is { } incoming)
                        await _store!.SaveSnapshotAsync(new RaftSnapshot(incoming.Index, incoming.Term, incoming.Data, incoming.Checksum) { Configuration = incoming.Configuration }, _options.SnapshotCatchUpEntries);
                    if (rd.HardState is not null || rd.Entries.Count > 0) await _store!.SaveAsync(rd.HardState, rd.Entries);
                    if (!ReferenceEquals(node, _node)) return; // stopped while persisting
                    StorageWorked();
                }
                ObserveConfiguration(node);
                foreach (var m in rd.Messages) Send(m);
                if (rd.Snapshot is { } installed)
                {
                    RestoreSnapshot(installed);
                    Traffic.SnapshotInstalled(installed.Index);
                }
                foreach (var e in rd.CommittedEntries) ApplyTimed(node, e);
                ObserveReads(node, rd);
                node.Advance(rd);
                if (_removedAt > 0)
                {
                    await RetireRemovedAsync();
                    return;
                }
                ObserveRoleChange(node);
                ObserveConfiguration(node);
                if (node.Role == RaftRole.Leader) MaybePromoteLearner(node);
                metrics.Report(_group, _name, node.CurrentTerm, node.CommitIndex, _stateMachine.LastAppliedIndex, _pending.Count);
                await MaybeCompactAsync(node);
            }
        }
        catch (StaleEpochException ex)
        {
            // A newer activation owns this replica: this one must never write again.
            logger.ReplicaFencedOff(ex, _group, _name);
            StopNode("fenced by a newer activation");
            DeactivateOnIdle();
        }
        catch (StorageFailedException ex)
        {
            // Crash-only, but without deactivating: a new activation per incoming message would reopen the store and
            // reload the log each time. Stay down here and retry from stable storage with back-off.
            EnterStorageFailure(ex);
        }
        catch (Exception ex)
        {
            // Crash-only: whatever failed, restart from stable storage rather than run on unknown state.
            logger.ReplicaFailed(ex, _group, _name);
            StopNode("internal error");
            DeactivateOnIdle();
        }
        finally
        {
            _pumping = false;
            SyncQuiescence();
        }
    }

    /// <summary>
    /// Stops the node and drops the store handle; reopens it after a delay that doubles with each failure (capped).
    /// Logged as an error once per episode; the status shows the error meanwhile, and messages are dropped.
    /// </summary>
    private void EnterStorageFailure(StorageFailedException ex)
    {
        StopNode("stable storage failed");
        _store = null;
        var delay = _options.TickInterval * _options.ElectionTicks * (1 << Math.Min(_storageFailures, 5));
        var newEpisode = _storageFailures == 0;
        _storageFailures++;
        _goodWrites = 0;
        if (newEpisode)
        {
            logger.StableStorageFailed(ex, _group, _name);
        }
        else
        {
            logger.StableStorageStillFailing(ex, _group, _name, _storageFailures, delay);
        }
        _storageError = ex.Message;
        _recoveryTimer?.Dispose();
        _recoveryTimer = this.RegisterGrainTimer(RecoverStorageAsync, new GrainTimerCreationOptions
        {
            DueTime = delay,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
            KeepAlive = true,
        });
    }

    private async Task RecoverStorageAsync(CancellationToken _)
    {
        // Disposing the timer cancels the token it passed, so the reopen does not use it.
        var cancellationToken = CancellationToken.None;
        _recoveryTimer?.Dispose();
        _recoveryTimer = null;
        if (_store is not null) return;
        PersistedReplicaState state;
        try
        {
            var store = await storage.OpenAsync(_group, _name, cancellationToken);
            state = await store.LoadAsync(cancellationToken);
            _store = store;
        }
        catch (StorageFailedException ex)
        {
            EnterStorageFailure(ex);
            return;
        }
        await ResumeAsync(state);
    }

    /// <summary>A write succeeded: the status clears at once; the back-off and the episode end after a run of them.</summary>
    private void StorageWorked()
    {
        if (_storageFailures == 0) return;
        if (_storageError is not null) logger.StableStorageRecovered(_group, _name, _storageFailures);
        _storageError = null;
        if (++_goodWrites >= 64) _storageFailures = 0;
    }

    private void RestoreSnapshot(SnapshotData snapshot)
    {
        _stateMachine.Restore(snapshot.Data);
        if (snapshot.Configuration?.Contains(_name) == true) _wasMember = true;
        logger.SnapshotInstalled(_group, _name, snapshot.Index);
        foreach (var index in _pending.Keys.Where(i => i <= snapshot.Index).ToList())
        {
            _pending.Remove(index, out var p);
            metrics.CountFailedProposal(_group, ProposalFailure.LeadershipLost);
            p!.Completion.TrySetResult(new KvResponse { Status = KvStatus.Unavailable, ServedBy = _name, Error = "leadership changed; the request may or may not take effect" });
        }
    }

    /// <summary>Every SnapshotEvery applied entries: save a snapshot durably, then let the core drop the log below it.</summary>
    private async Task MaybeCompactAsync(RaftNode node)
    {
        var applied = _stateMachine.LastAppliedIndex;
        if (applied - node.Log.SnapshotIndex < _options.SnapshotEvery) return;
        var term = node.Log.TermAt(applied)!.Value;
        var configuration = node.ConfigurationAt(applied);
        var snapshot = new SnapshotData(applied, term, _stateMachine.TakeSnapshot()) { Configuration = configuration };
        await _store!.SaveSnapshotAsync(new RaftSnapshot(applied, term, snapshot.Data, snapshot.Checksum) { Configuration = configuration }, _options.SnapshotCatchUpEntries);
        if (ReferenceEquals(node, _node)) node.Compact(snapshot);
    }

    private string MemberOf(string name) => _members.GetValueOrDefault(name, name);

    private string MemberOf(GroupMember member) => ReplicaKey.Member(member.Id, member.Node.Length > 0 ? member.Node : null);

    /// <summary>Learns the peers of a new configuration in force, logs it, and registers it in the directory.</summary>
    private void ObserveConfiguration(RaftNode node)
    {
        var configuration = node.Configuration;
        if (ReferenceEquals(configuration, _configuration)) return;
        var changed = _configuration is not null && !configuration.Equals(_configuration);
        _configuration = configuration;
        foreach (var m in configuration.All) _members[m.Id] = MemberOf(m);
        if (changed)
        {
            logger.ConfigurationChanged(_group, _name, configuration.ToString(), node.CommitIndex);
            events.Raise(new ReplicaEvent(ReplicaEventKind.ConfigurationChanged, _group, _name, node.CurrentTerm, node.LeaderId, configuration.ToString()));
        }
        RegisterConfiguration(node);
    }

    private void RegisterConfiguration(RaftNode node)
    {
        var configuration = node.Configuration;
        if (!configuration.Contains(_name)) return; // removed, or a joiner not yet told: it has nothing to say
        string[] members = [.. configuration.All.Select(MemberOf)];
        GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(_group).RegisterConfiguration(members, node.CommitIndex).Ignore();
        if (_homeNode is not null) KeepAlive.Registered(this.GetPrimaryKeyString(), _group, members, node.CommitIndex);
    }

    /// <summary>
    /// The leader promotes a learner once its log is within <see cref="RaftOptions.PromoteLearnerWithin"/> of the
    /// leader's, one change at a time: a voter that lags would hold up every commit until it caught up.
    /// </summary>
    private void MaybePromoteLearner(RaftNode node)
    {
        if (node.Configuration.Learners.Count == 0 || node.LeadTransferee is not null) return;
        var status = node.Status();
        if (status.PendingConfigIndex > status.CommitIndex) return;
        foreach (var learner in node.Configuration.Learners)
        {
            if (!status.Progress.TryGetValue(learner.Id, out var progress) || progress.MatchIndex == 0) continue;
            if (progress.MatchIndex < node.Log.LastIndex - _options.PromoteLearnerWithin) continue;
            var result = node.ProposeConfigChange(ConfigChange.Promote(learner.Id));
            if (!result.Accepted) return;
            logger.LearnerPromoting(_group, _name, learner.Id, progress.MatchIndex, node.Log.LastIndex);
            SchedulePump();
            return;
        }
    }

    /// <summary>A committed configuration left this replica out: it stops for good and deletes its storage.</summary>
    private async Task RetireRemovedAsync()
    {
        logger.ReplicaRemoved(_group, _name, _removedAt);
        try
        {
            await Retire();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.RetireAfterRemovalFailed(ex, _group, _name);
        }
    }

    private void RememberMembers(string[] members)
    {
        foreach (var m in members) _members[ReplicaKey.NameOf(m)] = m;
        _members[_name] = _member;
        if (members.Length > 0) _storedMembers = members;
    }

    private IRaftReplicaGrain Peer(string member) => (_peers ??= new ReplicaReferences(GrainFactory, _group)).Get(member);

    private void Send(RaftMessage m)
    {
        var member = MemberOf(m.To);
        var node = ReplicaKey.SplitMember(member).Node;
        // A peer whose node is down is unreachable, as over a cut network; calling it would only fail in placement.
        if (node is not null && !nodes.IsUp(node)) return;
        metrics.MessagesSent.Add(1);
        Traffic.Sent(m, node ?? m.To);
        if (node is not null && TryCoalesce(m, node, member)) return;
        if (m.Type == MessageType.TimeoutNow) _timeoutNowSent = (m.To, m.Term);
        try
        {
            Peer(member).Deliver(EnvelopeMapper.ToWire(m) with { FromMember = _member }).Ignore();
        }
        catch (Exception ex)
        {
            // The network may lose any message; Raft retries.
            logger.SendFailed(ex, _name, m.To);
        }
    }

    private ReplicaTraffic Traffic => _traffic ??= new ReplicaTraffic(metrics, timeProvider, _group, _options.TickInterval * _options.ElectionTicks);

    /// <summary>Applies an entry, timing it (etcd's slow-apply warning) and marking a waiting request's trace.</summary>
    private void ApplyTimed(RaftNode node, LogEntry entry)
    {
        if (_pending.TryGetValue(entry.Index, out var waiting) && waiting.Term == entry.Term)
            waiting.Trace?.AddEvent(new ActivityEvent("raft.committed", tags: new ActivityTagsCollection { [RaftTracing.IndexTag] = entry.Index }));
        var started = Stopwatch.GetTimestamp();
        Apply(node, entry);
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.ApplyDuration.Record(elapsed.TotalMilliseconds);
        if (elapsed >= _options.SlowApplyThreshold)
        {
            metrics.SlowApplies.Add(1, new KeyValuePair<string, object?>("group", _group));
            logger.SlowApply(_group, _name, entry.Index, entry.Type.ToString(), entry.Data.Length, elapsed.TotalMilliseconds, _options.SlowApplyThreshold.TotalMilliseconds);
        }
    }

    private void Apply(RaftNode node, LogEntry entry)
    {
        KvResponse response;
        if (entry.Type == LogEntryType.Command)
        {
            var command = Command.Decode(entry.Data);
            var result = _stateMachine.Apply(entry.Index, command);
            response = new KvResponse
            {
                Status = result.Status switch
                {
                    ApplyStatus.Ok => KvStatus.Ok,
                    ApplyStatus.NotFound => KvStatus.NotFound,
                    ApplyStatus.SessionExpired => KvStatus.SessionExpired,
                    ApplyStatus.LeaseNotFound => KvStatus.LeaseNotFound,
                    _ => KvStatus.CompareFailed,
                },
                Value = result.Value,
                ServedBy = _name,
                Index = entry.Index,
                Error = result.Status switch
                {
                    ApplyStatus.NotFound when command.Operation == CommandOperation.ExpireSession => $"No such session: {command.ClientId}",
                    ApplyStatus.NotFound => $"No such key: {command.Key}",
                    ApplyStatus.CompareFailed when result.ValueOmitted =>
                        $"compare failed for key {command.Key}; this is a retry, and the value found then (over {KeyValueStateMachine.MaxRecordedValueChars} chars) is not remembered: read the key",
                    ApplyStatus.CompareFailed => $"compare failed for key {command.Key}",
                    ApplyStatus.SessionExpired =>
                        $"session {command.ClientId} is unknown or expired, or request {command.Sequence} was already acknowledged: nothing was applied; open a new session",
                    ApplyStatus.LeaseNotFound => $"lease {result.Value} not found: never granted, revoked, or expired; nothing was applied",
                    _ => null,
                },
            };
            response = Complete(response, command, result);
            TimeGrantedLease(command, result, entry);
            if (_stateMachine.Revision != _signaledRevision)
            {
                _signaledRevision = _stateMachine.Revision;
                SignalApplied();
            }
        }
        else if (entry.Type == LogEntryType.ConfigChange)
        {
            // The configuration before it is the same on every replica (the log's), so is the record of who was removed.
            var configuration = GroupConfiguration.Decode(entry.Data);
            foreach (var gone in _stateMachine.ApplyConfiguration(entry.Index, node.ConfigurationAt(entry.Index - 1), configuration))
                logger.RemovalRecorded(_group, _name, gone.Id, gone.Node, entry.Index);
            response = new KvResponse { Status = KvStatus.Ok, ServedBy = _name, Index = entry.Index };
            if (configuration.Contains(_name)) _wasMember = true;
            else if (_wasMember) _removedAt = entry.Index;
        }
        else
        {
            _stateMachine.ApplyNoOp(entry.Index);
            response = new KvResponse { Status = KvStatus.Ok, ServedBy = _name, Index = entry.Index };
        }
        metrics.Applied.Add(1);

        if (_pending.Remove(entry.Index, out var pending))
        {
            if (pending.Term == entry.Term)
            {
                metrics.CommitLatency.Record(timeProvider.GetElapsedTime(pending.StartTimestamp).TotalMilliseconds);
                metrics.ProposalsCommitted.Add(1, new KeyValuePair<string, object?>("group", _group));
                pending.Trace?.AddEvent(new ActivityEvent("raft.applied", tags: new ActivityTagsCollection { [RaftTracing.IndexTag] = entry.Index }));
                pending.Completion.TrySetResult(response);
            }
            else
            {
                // Another leader's entry took this index: ours was never committed and never will be.
                metrics.CountFailedProposal(_group, ProposalFailure.LeadershipLost);
                pending.Completion.TrySetResult(new KvResponse { Status = KvStatus.NotLeader, ServedBy = _name, Error = "leadership changed; the request was not applied" });
            }
        }
    }

    private static ReplicaRole ToReplicaRole(RaftRole role) => role switch
    {
        RaftRole.Follower => ReplicaRole.Follower,
        RaftRole.PreCandidate => ReplicaRole.PreCandidate,
        RaftRole.Candidate => ReplicaRole.Candidate,
        RaftRole.Leader => ReplicaRole.Leader,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    private void ObserveRoleChange(RaftNode node)
    {
        if (node.Role != _lastRole || node.LeaderId != _lastLeader)
            ObserveReadsOnLeaderChange(node, leadershipLost: _lastRole == RaftRole.Leader && node.Role != RaftRole.Leader);
        if (node.Role != _lastRole)
        {
            if (node.Role == RaftRole.PreCandidate || (node.Role == RaftRole.Candidate && _lastRole != RaftRole.PreCandidate)) metrics.ElectionsStarted.Add(1);
            if (node.Role == RaftRole.Leader)
            {
                _sessionActivity.Clear();
                _leaseDeadlines.Clear();
                metrics.ElectionsWon.Add(1);
                logger.LeaderElected(_group, _name, node.CurrentTerm);
            }
            if (_lastRole == RaftRole.Leader)
            {
                // The entry may still commit under the next leader, so the outcome is unknown (Unavailable, not NotLeader).
                // The gateway retries with the same session and sequence, so a write that does commit is applied once.
                FailPending(new KvResponse { Status = KvStatus.Unavailable, LeaderHint = node.LeaderId, ServedBy = _name, Error = "leadership lost; the request may or may not take effect" }, ProposalFailure.LeadershipLost);
            }
            _lastRole = node.Role;
        }
        if (node.LeaderId != _lastLeader)
        {
            // As etcd counts leader_changes_seen: a new known leader, not the loss of one.
            if (node.LeaderId is not null) metrics.LeaderChanges.Add(1, new KeyValuePair<string, object?>("group", _group));
            if (_lastLeader == _name || node.LeaderId == _name) Traffic.LeadershipChanged();
            logger.LeaderChanged(_group, _name, node.LeaderId ?? "unknown", node.CurrentTerm);
            events.Raise(new ReplicaEvent(ReplicaEventKind.LeaderChanged, _group, _name, node.CurrentTerm, node.LeaderId));
            _lastLeader = node.LeaderId;
        }
    }

    private void FailPending(KvResponse response, ProposalFailure reason)
    {
        if (_pending.Count > 0) metrics.CountFailedProposal(_group, reason, _pending.Count);
        foreach (var p in _pending.Values) p.Completion.TrySetResult(response);
        _pending.Clear();
    }
}
