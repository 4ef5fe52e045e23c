using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Raft.Hosting;
using Orleans.Raft.Replica;

namespace Orleans.Raft.Gateway;

/// <summary>
/// The client's entry point for one group (keyed by group name), or for a store split over several groups (keyed by
/// the store's name): that one routes each key request to its group's gateway, an activation on the same silo. It sends each request to the leader it knows,
/// follows NotLeader hints, retries through elections, and always answers within the request timeout. A stateless
/// worker: each activation has its own cached leader and its own client session, opened lazily, in which it numbers
/// the writes it is given without one; a retry carries the same session and number, so it is applied at most once.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed partial class KeyValueGatewayGrain(
    IOptions<RaftOptions> options,
    IOptions<RaftNodeOptions> nodeOptions,
    RaftGroupLayout layout,
    TimeProvider timeProvider,
    ILogger<KeyValueGatewayGrain> logger) : Grain, IKeyValueGatewayGrain
{
    private readonly RaftOptions _options = options.Value;
    // A replica that stops answering is passed over for twice the longest a follower waits before it campaigns: by then
    // the others have elected a leader without it, even after a split vote. A follower that names it as leader
    // meanwhile gets it probed (ProbeIfPassedOver), in case it was only slow.
    private readonly ReplicaRoute _route = new(timeProvider, 4 * options.Value.ElectionTicks * options.Value.TickInterval);
    private readonly HashSet<string> _probing = [];
    // This activation's writes still in flight, so it can tell the state machine which results it no longer needs.
    private readonly SortedSet<long> _inFlight = [];
    private string[] _members = []; // replica names
    private long _membersReadAt; // when _members was read from the directory, on the monotonic clock
    private Dictionary<string, string> _memberKeys = []; // name -> member ("name@node")
    // Where each replica not pinned to a node runs (the silo its status names; null: unknown), so a serializable get can
    // prefer this silo's; read again now and then, and unknown again for a replica that fails.
    private readonly Dictionary<string, string?> _siloOf = [];
    private long _silosReadAt;
    private Task? _learningSilos;
    private long _session;
    private long _sequence;
    private Task<KvResponse>? _opening;

    private string Group => this.GetPrimaryKeyString();

    /// <summary>Keyed by a store split over several groups: not a group itself, it routes by key.</summary>
    private bool IsStore => layout.IsSharded && Group == layout.Store;

    private ShardMap Shards => Group == layout.Store ? layout.Shards : new ShardMap(Group, 1);

    public Task<KvResponse> Get(string key) => Execute(KvRequest.Get(key));

    public Task<KvResponse> Set(string key, string value) => Execute(KvRequest.Set(key, value));

    public Task<KvResponse> Delete(string key) => Execute(KvRequest.Delete(key));

    public Task<KvResponse> CompareAndSet(string key, string? expected, string value) => Execute(KvRequest.CompareAndSet(key, expected, value));

    public Task<KvResponse> Append(string key, string suffix) => Execute(KvRequest.Append(key, suffix));

    public async Task<KvResponse> OpenSession()
    {
        if (IsStore)
        {
            return KvResponse.Failure(KvStatus.InvalidRequest,
                $"a client session belongs to one group, and '{Group}' is a store of {layout.Shards.Count} groups: open it at the gateway of the group that holds its keys (GroupOf(key)) and send its requests there");
        }
        var members = await GetMembersAsync();
        if (members.Length == 0) return KvResponse.Failure(KvStatus.InvalidRequest, $"unknown group '{Group}': no replicas are registered");
        return (await SendAsync(members, (replica, remaining) => replica.OpenSession(remaining))).Response;
    }

    public async Task<KvResponse> Execute(KvRequest request)
    {
        if (RequestValidator.Validate(request, _options) is { } error) return KvResponse.Failure(KvStatus.InvalidRequest, error.Message);
        // A store's gateway only routes: the span is the group gateway's, one per request.
        if (IsStore) return await RouteAsync(request);
        using var activity = RaftTracing.StartRequest(Group, request);
        var response = await ExecuteInGroupAsync(request);
        RaftTracing.SetOutcome(activity, response);
        return response;
    }

    private async Task<KvResponse> ExecuteInGroupAsync(KvRequest request)
    {
        var members = await GetMembersAsync();
        if (members.Length == 0) return KvResponse.Failure(KvStatus.InvalidRequest, $"unknown group '{Group}': no replicas are registered");
        if (request.IsSerializableRead) return await SerializableReadAsync(members, request);
        if (!request.IsWrite || request.SessionId != 0)
            return (await SendAsync(members, (replica, remaining) => replica.Execute(request, forward: false, remaining))).Response;
        return await InOwnSessionAsync(request, r => SendAsync(members, (replica, remaining) => replica.Execute(r, forward: false, remaining)));
    }

    public async Task<KvResponse> ExecuteVia(string replica, KvRequest request)
    {
        if (RequestValidator.Validate(request, _options) is { } error) return KvResponse.Failure(KvStatus.InvalidRequest, error.Message);
        if (IsStore) return KvResponse.Failure(KvStatus.InvalidRequest, layout.NotAGroup("a request through a replica (--via)"));
        var members = await GetMembersAsync();
        if (!members.Contains(replica)) return KvResponse.Failure(KvStatus.InvalidRequest, $"unknown replica '{replica}' in group '{Group}' (members: {string.Join(", ", members)})");
        using var activity = RaftTracing.StartRequest(Group, request, via: replica);
        var response = !request.IsWrite || request.SessionId != 0 ? (await ViaAsync(replica, request)).Response : await InOwnSessionAsync(request, r => ViaAsync(replica, r));
        RaftTracing.SetOutcome(activity, response);
        return response;
    }

    /// <summary>
    /// Sends a key request to the gateway of its group, on this silo (a stateless worker). A client-numbered session
    /// belongs to one group and is refused here: sent on, its numbers would mean nothing to the other groups.
    /// </summary>
    private Task<KvResponse> RouteAsync(KvRequest request)
    {
        if (request.Operation is KvOperation.Range or KvOperation.Txn || request.Operation.ToString().StartsWith("Lease", StringComparison.Ordinal) || request.Lease != 0)
        {
            if (request.SessionId != 0) return Task.FromResult(KvResponse.Failure(KvStatus.InvalidRequest, layout.NotAGroup("a request with a client session")));
            return RouteStoreRequestAsync(request);
        }
        var group = layout.Shards.GroupOf(request.Key);
        if (request.SessionId != 0)
        {
            return Task.FromResult(KvResponse.Failure(KvStatus.InvalidRequest,
                $"a request with a client session belongs to one group, and '{Group}' is a store of {layout.Shards.Count} groups: " +
                $"send it to the gateway of the group its session was opened at; the key '{request.Key}' is in group '{group}' (GroupOf(key))"));
        }
        return GrainFactory.GetGrain<IKeyValueGatewayGrain>(group).Execute(request);
    }

    public Task<ShardMap> GetShardMap() => Task.FromResult(Shards);

    public Task<string> GroupOf(string key) => Task.FromResult(Shards.GroupOf(key));

    public async Task<GroupSummary[]> GetGroups()
    {
        if (!IsStore) return [GroupSummary.From(Group, await GetStatus())];
        return await Task.WhenAll(layout.Groups.Select(async g => GroupSummary.From(g, await GrainFactory.GetGrain<IKeyValueGatewayGrain>(g).GetStatus())));
    }

    private async Task<Attempts> ViaAsync(string replica, KvRequest request)
    {
        try
        {
            // The replica forwards to the leader and retries there with the same session and sequence.
            var response = await Replica(replica).Execute(request, forward: true, _options.RequestTimeout).WaitAsync(_options.RequestTimeout + _options.TickInterval);
            return new Attempts(response, EarlierMayHaveApplied: false);
        }
        catch (TimeoutException)
        {
            return new Attempts(KvResponse.Failure(KvStatus.Timeout, $"Request timed out after {_options.RequestTimeout.TotalSeconds:0.###} s at replica {replica}", replica), false);
        }
    }

    /// <summary>
    /// A serializable get: any running replica answers at once from what it has applied, so no leader is needed. A
    /// replica on this silo first, then the others; one that fails, is silent or refuses (stopped, removed, joining) is
    /// passed by for the next, and once every one has been asked the round starts again after a tick.
    /// </summary>
    private async Task<KvResponse> SerializableReadAsync(string[] members, KvRequest request)
    {
        LearnSilos(members);
        KvResponse? last = null;
        var order = new Queue<string>(_route.ReadOrder(members, IsOnThisSilo));
        var timeout = _options.RequestTimeout;
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            if (!order.TryDequeue(out var target))
            {
                members = await RefreshMembersAsync();
                order = new Queue<string>(_route.ReadOrder(members, IsOnThisSilo));
                return RetryStep<KvResponse>.AfterPause;
            }
            // The replica answers without waiting for anything: one that takes longer is slow or gone.
            var pending = Replica(target).Execute(request, forward: false, remaining);
            try
            {
                var response = await pending.WaitAsync(remaining < _options.GatewayAttemptTimeout ? remaining : _options.GatewayAttemptTimeout, timeProvider);
                if (response.Status != KvStatus.Unavailable) return RetryStep<KvResponse>.Answer(response);
                last = response;
            }
            catch (Exception ex)
            {
                // Nothing here is cancelled by a token of ours: a cancellation, like a timeout, is the replica not answering.
                pending.Ignore();
                if (ex is TimeoutException) logger.GatewayReplicaSilent(Group, target);
                else logger.GatewayRequestFailed(ex, Group, target);
                last = KvResponse.Failure(KvStatus.Unavailable, $"replica {target} did not answer ({ex.GetType().Name})", target);
                _route.PassOver(target);
                if (_siloOf.ContainsKey(target)) _siloOf[target] = null; // it may come back elsewhere: not here until seen here
            }
            return RetryStep<KvResponse>.Again;
        });
        return answer ?? KvResponse.Failure(KvStatus.Timeout,
            $"Request timed out after {timeout.TotalSeconds:0.###} s: no replica of group '{Group}' served the serializable read{(last?.Error is { } e ? $" (last answer: {e})" : "")}");
    }

    /// <summary>True for a replica on this silo: pinned to this silo's node, or last seen running here.</summary>
    private bool IsOnThisSilo(string replica)
    {
        var node = ReplicaKey.SplitMember(_memberKeys.GetValueOrDefault(replica, replica)).Node;
        return node is not null ? node == nodeOptions.Value.Name : _siloOf.GetValueOrDefault(replica) is { } silo && silo == RuntimeIdentity;
    }

    private static readonly TimeSpan SilosRefreshPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Asks the replicas not pinned to a node where they run, in the background, when not known or not lately.</summary>
    private void LearnSilos(string[] members)
    {
        if (_learningSilos is not null) return;
        var unpinned = members.Where(m => ReplicaKey.SplitMember(_memberKeys.GetValueOrDefault(m, m)).Node is null).ToArray();
        if (unpinned.Length == 0 || (unpinned.All(_siloOf.ContainsKey) && timeProvider.GetElapsedTime(_silosReadAt) < SilosRefreshPeriod)) return;
        _learningSilos = LearnSilosAsync(unpinned);
    }

    private async Task LearnSilosAsync(string[] replicas)
    {
        try
        {
            foreach (var status in await StatusesAsync(replicas, _options.GatewayAttemptTimeout)) _siloOf[status.Replica] = status.Error is null ? status.Silo : null;
            _silosReadAt = timeProvider.GetTimestamp();
        }
        finally
        {
            _learningSilos = null;
        }
    }

    /// <summary>
    /// Runs a write in this activation's session. If the session has expired and no attempt of this write may have
    /// been applied, it is safe to run it again in a new session; otherwise the caller gets SessionExpired.
    /// </summary>
    private async Task<KvResponse> InOwnSessionAsync(KvRequest request, Func<KvRequest, Task<Attempts>> send)
    {
        for (var round = 0; ; round++)
        {
            var session = await GetSessionAsync();
            if (session.Status != KvStatus.Ok) return session;
            var sequence = ++_sequence;
            _inFlight.Add(sequence);
            Attempts attempts;
            try
            {
                attempts = await send(request with { SessionId = session.Index, Sequence = sequence, AckedBelow = _inFlight.Min });
            }
            finally
            {
                _inFlight.Remove(sequence);
            }
            if (attempts.Response.Status != KvStatus.SessionExpired) return attempts.Response;
            if (_session == session.Index) _session = 0;
            if (attempts.EarlierMayHaveApplied || round > 0) return attempts.Response;
            logger.GatewaySessionExpired(Group, session.Index);
        }
    }

    /// <summary>This activation's session (its id in Index), opened on first use; concurrent writes share one opening.</summary>
    private async Task<KvResponse> GetSessionAsync()
    {
        if (_session != 0) return new KvResponse { Status = KvStatus.Ok, Index = _session };
        var opening = _opening ??= OpenSession();
        var response = await opening;
        if (ReferenceEquals(_opening, opening))
        {
            _opening = null;
            if (response.Status == KvStatus.Ok) _session = response.Index;
        }
        if (response.Status != KvStatus.Ok) return response with { Error = $"could not open a client session: {response.Error}" };
        return new KvResponse { Status = KvStatus.Ok, Index = response.Index };
    }

    /// <summary>The outcome of a request, and whether an earlier attempt of it ended without a definite answer.</summary>
    private readonly record struct Attempts(KvResponse Response, bool EarlierMayHaveApplied);

    private async Task<Attempts> SendAsync(string[] members, Func<IRaftReplicaGrain, TimeSpan, Task<KvResponse>> call)
    {
        var timeout = _options.RequestTimeout;
        KvResponse? last = null;
        var uncertain = false;

        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            var target = _route.Next(members);
            KvResponse response;
            try
            {
                if (await AnswerOrSilenceAsync(Replica(target), call(Replica(target), remaining), remaining) is not { } answered)
                {
                    // Its node is dead or hung: pass it over now rather than wait out the request.
                    logger.GatewayReplicaSilent(Group, target);
                    uncertain = true;
                    _route.PassOver(target);
                    members = await RefreshMembersAsync();
                    return RetryStep<KvResponse>.Again;
                }
                response = answered;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not TimeoutException)
            {
                logger.GatewayRequestFailed(ex, Group, target);
                uncertain = true;
                _route.PassOver(target);
                // Its node is likely down: the others may answer at once; if every replica failed, let the network settle.
                return members.All(_route.IsPassedOver) ? RetryStep<KvResponse>.AfterPause : RetryStep<KvResponse>.Again;
            }

            switch (response.Status)
            {
                case KvStatus.NotLeader when response.LeaderHint == target && target == response.ServedBy:
                    // The leader is handing over (a planned transfer): wait a tick and ask it again, then follow its hint.
                    logger.GatewayWaitsForTransfer(Group, target);
                    _route.Served(target);
                    last = response;
                    return RetryStep<KvResponse>.AfterPause;
                case KvStatus.NotLeader:
                case KvStatus.Unavailable:
                    // Follow the hint; without one (or naming a replica that stopped answering), try the next replica
                    // after a tick so an election can finish. Retrying is safe either way: the same session and sequence
                    // are applied at most once.
                    if (response.LeaderHint is { } unknown && !members.Contains(unknown)) members = await RefreshMembersAsync();
                    uncertain |= response.Status == KvStatus.Unavailable;
                    last = response;
                    if (_route.NotLeader(target, response.LeaderHint, members)) return RetryStep<KvResponse>.Again;
                    ProbeIfPassedOver(response.LeaderHint);
                    return RetryStep<KvResponse>.AfterPause;
                case KvStatus.Overloaded:
                    // Not applied, so safe to retry; the leader's backlog drains as entries commit.
                    _route.Served(target);
                    last = response;
                    return RetryStep<KvResponse>.AfterPause;
                case KvStatus.Timeout:
                    _route.Forget();
                    return RetryStep<KvResponse>.Answer(response);
                default:
                    _route.Served(response.ServedBy ?? target);
                    return RetryStep<KvResponse>.Answer(response);
            }
        });
        if (answer is not null) return new Attempts(answer, uncertain);

        if (last?.Status == KvStatus.Overloaded)
        {
            return new Attempts(KvResponse.Failure(KvStatus.Overloaded,
                $"Overloaded: the leader of group '{Group}' kept refusing the write for {timeout.TotalSeconds:0.###} s because too many writes are uncommitted; it was not applied, retry later ({last.Error})",
                last.ServedBy), uncertain);
        }
        var reason = last?.Error is { } e ? $" (last answer: {e})" : "";
        return new Attempts(KvResponse.Failure(KvStatus.Timeout, $"Request timed out after {timeout.TotalSeconds:0.###} s: no leader of group '{Group}' answered{reason}"), uncertain);
    }

    /// <summary>
    /// A replica named as leader after this gateway passed it over may only have been slow (a loaded machine, a long
    /// fsync) and now lead: ask it, once at a time, whether it answers, so that the next hint to it is followed.
    /// </summary>
    private void ProbeIfPassedOver(string? replica)
    {
        if (replica is null || !_route.IsPassedOver(replica) || !_probing.Add(replica)) return;
        ProbeAsync(replica).Ignore();
    }

    private async Task ProbeAsync(string replica)
    {
        try
        {
            await Replica(replica).GetStatus().WaitAsync(_options.GatewayAttemptTimeout, timeProvider);
            _route.Answered(replica);
        }
        finally
        {
            _probing.Remove(replica);
        }
    }

    /// <summary>
    /// The replica's answer, or null when it stops answering altogether: while the call is pending, the replica is asked
    /// every <see cref="RaftOptions.GatewayAttemptTimeout"/> for its status, which a live replica answers at once even while
    /// its write waits for a commit. Throws <see cref="TimeoutException"/> when the time is up.
    /// </summary>
    private async Task<KvResponse?> AnswerOrSilenceAsync(IRaftReplicaGrain replica, Task<KvResponse> pending, TimeSpan remaining)
    {
        var deadline = timeProvider.GetTimestamp() + (long)(remaining.TotalSeconds * timeProvider.TimestampFrequency);
        while (true)
        {
            var left = TimeSpan.FromSeconds((double)(deadline - timeProvider.GetTimestamp()) / timeProvider.TimestampFrequency);
            if (left <= _options.GatewayAttemptTimeout) return await pending.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, timeProvider);
            try
            {
                return await pending.WaitAsync(_options.GatewayAttemptTimeout, timeProvider);
            }
            catch (TimeoutException)
            {
            }
            try
            {
                await replica.GetStatus().WaitAsync(_options.GatewayAttemptTimeout, timeProvider);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                pending.Ignore();
                return null;
            }
        }
    }

    public async Task<ReplicaStatus[]> GetStatus() =>
        // A store's status is every group's, group after group.
        IsStore
            ? [.. (await Task.WhenAll(layout.Groups.Select(g => GrainFactory.GetGrain<IKeyValueGatewayGrain>(g).GetStatus()))).SelectMany(s => s)]
            // An operator's view: the directory as it is now, not as read up to a second ago (a change just made shows).
            : await StatusesAsync(await RefreshMembersAsync(), _options.RequestTimeout);

    private async Task<ReplicaStatus[]> StatusesAsync(string[] members, TimeSpan timeout)
    {
        var statuses = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return await Replica(m).GetStatus().WaitAsync(timeout, timeProvider);
            }
            catch (Exception ex)
            {
                // Nothing here is cancelled by a token of ours: a cancellation is Orleans giving up on the replica's silo
                // (a directory lookup while that silo dies), which is one more way of not answering.
                return new ReplicaStatus { Group = Group, Replica = m, Node = ReplicaKey.SplitMember(_memberKeys.GetValueOrDefault(m, m)).Node, Error = ex.Message };
            }
        }));
        return statuses;
    }

    public async Task TransferLeadership(string replica)
    {
        if (IsStore) throw new ArgumentException(layout.NotAGroup("a leadership transfer"));
        var members = await RefreshMembersAsync();
        if (!members.Contains(replica)) throw new ArgumentException($"unknown replica '{replica}' in group '{Group}' (members: {string.Join(", ", members)})");
        var timeout = _options.RequestTimeout;
        KvResponse? last = null;
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, timeout, _options.TickInterval, async remaining =>
        {
            var target = _route.Next(members);
            KvResponse response;
            try
            {
                // A tick more than the replica is given, so its own answer at the deadline arrives.
                response = await Replica(target).TransferLeadership(replica, remaining).WaitAsync(remaining + _options.TickInterval);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not TimeoutException)
            {
                logger.GatewayRequestFailed(ex, Group, target);
                _route.PassOver(target);
                return RetryStep<KvResponse>.AfterPause;
            }
            last = response;
            if (response.Status is KvStatus.NotLeader or KvStatus.Unavailable)
                return _route.NotLeader(target, response.LeaderHint, members) ? RetryStep<KvResponse>.Again : RetryStep<KvResponse>.AfterPause;
            return RetryStep<KvResponse>.Answer(response);
        });
        if (answer is { Status: KvStatus.Timeout, UndecidedTransferTerm: > 0 } undecided)
        {
            logger.GatewayChecksTransferOutcome(Group, undecided.ServedBy ?? "the leader", replica, undecided.UndecidedTransferTerm);
            if (await TransferOutcomeAsync(members, replica, undecided) is { } outcome) throw new InvalidOperationException(outcome);
            answer = answer with { Status = KvStatus.Ok };
        }
        if (answer is { Status: KvStatus.Ok })
        {
            _route.Served(replica);
            return;
        }
        throw new InvalidOperationException((answer ?? last)?.Error is { } error
            ? $"leadership transfer to {replica} in group '{Group}' failed: {error}"
            : $"leadership transfer to {replica} in group '{Group}' failed: no leader answered within {timeout.TotalSeconds:0.###} s");
    }

    /// <summary>
    /// After the old leader told the target to campaign but heard no outcome: asks the replicas, for up to one more
    /// election timeout, who leads in a term after the old leader's. Null when the target won; else what became of it.
    /// </summary>
    private async Task<string?> TransferOutcomeAsync(string[] members, string target, KvResponse undecided)
    {
        var term = undecided.UndecidedTransferTerm;
        var oldLeader = undecided.ServedBy;
        var prefix = $"leadership transfer to {target} in group '{Group}'";
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var statuses = await StatusesAsync(members, _options.GatewayAttemptTimeout);
            // A leader of the old term may not know it was superseded: only a newer term's leader tells.
            if (statuses.Where(s => s.CurrentTerm > term && s.LeaderId is not null).MaxBy(s => s.CurrentTerm) is { } newer)
            {
                if (newer.LeaderId == target) return null;
                return newer.LeaderId == oldLeader
                    ? $"{prefix} failed: {target} did not win; {oldLeader} was elected again (term {newer.CurrentTerm})"
                    : $"{prefix} failed: leadership moved to {newer.LeaderId} instead (term {newer.CurrentTerm})";
            }
            if (timeProvider.GetElapsedTime(started) >= _options.ElectionTicks * _options.TickInterval)
            {
                return statuses.FirstOrDefault(s => s.Replica == oldLeader) is { Role: ReplicaRole.Leader } old && old.CurrentTerm == term
                    ? $"{prefix} failed: {target} was told to campaign but did not win; {oldLeader} still leads (term {term})"
                    : $"{prefix} has an unknown outcome: {target} was told to campaign, but no replica knows of a leader after term {term} yet; check 'member list'";
            }
            await Task.Delay(_options.TickInterval, timeProvider);
        }
    }

    public async Task StartElection(string replica)
    {
        if (IsStore) throw new ArgumentException(layout.NotAGroup("an election"));
        var members = await GetMembersAsync();
        if (!members.Contains(replica)) throw new ArgumentException($"unknown replica '{replica}' in group '{Group}' (members: {string.Join(", ", members)})");
        await Replica(replica).StartElection();
        _route.Forget();
    }

    private static readonly TimeSpan MembersRefreshPeriod = TimeSpan.FromSeconds(1);

    private Task<string[]> RefreshMembersAsync()
    {
        _membersReadAt = 0;
        return GetMembersAsync();
    }

    private IRaftReplicaGrain Replica(string name) =>
        (_replicas ??= new ReplicaReferences(GrainFactory, Group)).Get(_memberKeys.GetValueOrDefault(name, name));

    private ReplicaReferences? _replicas;

    /// <summary>The group's replica names, from the directory or, for a group of the configured store, from the configuration.</summary>
    private async Task<string[]> GetMembersAsync()
    {
        // Membership changes: read the directory again now and then, and whenever a replica names an unknown member.
        if (_members.Length == 0 || timeProvider.GetElapsedTime(_membersReadAt) > MembersRefreshPeriod)
        {
            _membersReadAt = timeProvider.GetTimestamp();
            string[] members;
            var askedAt = timeProvider.GetTimestamp();
            while (true)
            {
                try
                {
                    members = await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(Group).GetMembers();
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.GatewayRequestFailed(ex, Group, "directory");
                    if (_members.Length > 0) return _members; // its silo just died: keep the members known
                    // Nothing known yet: ask again until it has come back on another silo, within the request's time.
                    if (timeProvider.GetElapsedTime(askedAt) > _options.RequestTimeout) throw;
                    await Task.Delay(_options.TickInterval, timeProvider);
                }
            }
            // The directory refills from the replicas' reminders after its silo dies; meanwhile every node knows the store's groups.
            if (members.Length == 0) members = layout.MembersOf(Group);
            if (members.Length > 0)
            {
                _memberKeys = members.ToDictionary(ReplicaKey.NameOf, m => m);
                _members = [.. _memberKeys.Keys];
            }
        }
        return _members;
    }
}
