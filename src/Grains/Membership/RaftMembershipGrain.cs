using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Raft.Hosting;
using Orleans.Raft.Placement;

namespace Orleans.Raft.Membership;

/// <summary>
/// Membership operations on one group, each a series of single-server changes proposed at the leader. The leader's
/// core refuses a second change while one is uncommitted, so operations need no lock here; this grain adds the checks
/// that need the replicas' liveness (a majority of live voters after a removal), moves leadership off a replica
/// before it is removed, and creates and retires the replicas themselves. Every step and refusal is logged and kept in
/// a bounded record, in order, for the console's timeline (<see cref="Events"/>); the record is lost with the activation.
/// </summary>
[Reentrant]
// Not collected when idle: that would lose the record of steps. One activation per group.
[KeepAlive]
public sealed class RaftMembershipGrain(
    IOptions<RaftOptions> options,
    RaftNodeLocator nodes,
    RaftGroupLayout layout,
    TimeProvider timeProvider,
    ILogger<RaftMembershipGrain> logger) : Grain, IRaftMembershipGrain
{
    /// <summary>How many recent steps the record keeps.</summary>
    public const int RecordedSteps = 256;

    private readonly RaftOptions _options = options.Value;
    private readonly Queue<MembershipEvent> _record = new();
    private readonly string _epoch = Guid.NewGuid().ToString("N");
    private long _sequence;
    // Replicas whose self-repair runs now: a leader elected meanwhile may ask again, and must not add a second replacement.
    private readonly HashSet<string> _repairing = new(StringComparer.Ordinal);

    private string Group => this.GetPrimaryKeyString();

    public async Task<MemberList> List()
    {
        EnsureGroup("member list");
        var statuses = await StatusesAsync();
        var leader = LeaderOf(statuses);
        var byName = statuses.ToDictionary(s => s.Replica);
        string[] voters, learners;
        if (leader is not null)
        {
            (voters, learners) = (leader.Members, leader.Learners);
        }
        else
        {
            // No leader: each replica's own view, which may lag.
            voters = [.. statuses.Where(s => s.Membership == MemberRole.Voter).Select(s => Member(s))];
            learners = [.. statuses.Where(s => s.Membership == MemberRole.Learner).Select(s => Member(s))];
            if (voters.Length == 0 && learners.Length == 0) voters = [.. statuses.Select(s => Member(s))];
        }
        MemberInfo Info(string member, MemberRole role)
        {
            var (name, node) = ReplicaKey.SplitMember(member);
            var status = byName.GetValueOrDefault(name);
            var live = status?.IsLive == true;
            return new MemberInfo
            {
                Replica = name,
                Node = node,
                Role = role,
                Live = live,
                IsLeader = name == leader?.Replica,
                Applied = live ? status!.LastApplied : 0,
            };
        }
        return new MemberList
        {
            Group = Group,
            Leader = leader?.Replica,
            ChangePending = leader?.ConfigChangePending == true,
            Members = [.. voters.Select(m => Info(m, MemberRole.Voter)), .. learners.Select(m => Info(m, MemberRole.Learner))],
        };
    }

    public Task<MembershipEvents> Events(long after)
    {
        var first = _record.Count == 0 ? _sequence + 1 : _record.Peek().Sequence;
        return Task.FromResult(new MembershipEvents
        {
            Group = Group,
            Epoch = _epoch,
            Last = _sequence,
            Missed = Math.Max(0, first - Math.Max(after, 0) - 1),
            Events = [.. _record.Where(e => e.Sequence > after)],
        });
    }

    public async Task<string> Add(string? node)
    {
        EnsureGroup("member add");
        var steps = new List<string>();
        await AddCoreAsync("member add", node, exceptNode: null, steps);
        return string.Join("; ", steps);
    }

    public async Task<string> Remove(string replica)
    {
        EnsureGroup("member remove");
        var steps = new List<string>();
        await RemoveCoreAsync("member remove", replica, steps);
        return string.Join("; ", steps);
    }

    public async Task<string> TransferLeadership(string replica)
    {
        const string Operation = "leader transfer";
        EnsureGroup(Operation);
        var statuses = await StatusesAsync();
        var leader = LeaderOf(statuses) ?? await LeaderAsync(Operation, Operation);
        if (leader.Learners.Select(ReplicaKey.NameOf).Contains(replica))
            throw Refuse(Operation, Operation, $"{replica} is a learner of group '{Group}', which cannot lead until it is promoted (voters: {Names(leader.Members)})");
        if (!leader.Members.Select(ReplicaKey.NameOf).Contains(replica))
            throw Refuse(Operation, Operation, $"unknown replica '{replica}' in group '{Group}' (members: {Names(leader.Members)})");
        if (leader.Replica == replica) return $"{replica} already leads group '{Group}'";
        if (statuses.FirstOrDefault(s => s.Replica == replica) is { IsLive: false } down)
            throw Refuse(Operation, Operation, down.Error is null ? $"{replica} is stopped" : $"{replica} is unreachable: {down.Error}");
        Step(Operation, $"transferring leadership from {leader.Replica} to {replica}");
        await GrainFactory.GetGrain<IKeyValueGatewayGrain>(Group).TransferLeadership(replica);
        Step(Operation, $"{replica} leads");
        return $"leadership moved from {leader.Replica} to {replica}";
    }

    public async Task<string> DrainNode(string node)
    {
        const string Operation = "node drain";
        EnsureGroup("node drain --group");
        var steps = new List<string>();
        var leader = await LeaderAsync(Operation, Operation);
        var onNode = leader.Members.Concat(leader.Learners).Where(m => ReplicaKey.SplitMember(m).Node == node).ToArray();
        if (onNode.Length == 0) return $"node {node} holds no replica of group '{Group}'";
        Step(Operation, $"draining node {node}: {Names(onNode)}");
        foreach (var member in onNode)
        {
            await WaitForNoPendingChangeAsync();
            // A replacement first, while the replica still counts: the group never runs with one voter fewer.
            if (await SpareNodeAsync(await LeaderAsync(Operation, Operation), exceptNode: node) is not null) await AddCoreAsync(Operation, null, exceptNode: node, steps);
            await WaitForNoPendingChangeAsync();
            await RemoveCoreAsync(Operation, ReplicaKey.NameOf(member), steps, avoidNode: node);
        }
        steps.Add($"node {node} holds no replica of group '{Group}'");
        Step(Operation, $"node {node} drained");
        return string.Join("; ", steps);
    }

    public async Task<string> ReplaceDeadReplica(string replica, string deadNode)
    {
        const string Operation = "self-repair";
        if (!_repairing.Add(replica)) return $"the replacement of {replica} is already under way";
        try
        {
            var steps = new List<string>();
            await WaitForNoPendingChangeAsync();
            var leader = await LeaderAsync(Operation, Operation);
            var member = leader.Members.Concat(leader.Learners).FirstOrDefault(m => ReplicaKey.NameOf(m) == replica);
            if (member is null) return $"{replica} is no longer a member of group '{Group}'";
            if (ReplicaKey.SplitMember(member).Node != deadNode) throw Refuse(Operation, Operation, $"{replica} is not on node {deadNode}");
            if (nodes.IsUp(deadNode)) return $"node {deadNode} is back; {replica} stays";
            Step(Operation, $"node {deadNode} is dead: replacing {replica}");
            // A learner counts toward nothing: only a voter needs a replacement before it goes.
            if (leader.Members.Contains(member))
            {
                await AddCoreAsync(Operation, null, exceptNode: deadNode, steps);
                await WaitForNoPendingChangeAsync();
            }
            await RemoveCoreAsync(Operation, replica, steps, avoidNode: deadNode);
            Step(Operation, $"replaced {replica} of dead node {deadNode}");
            return string.Join("; ", steps);
        }
        finally
        {
            _repairing.Remove(replica);
        }
    }

    /// <param name="by">The operation the addition is part of, for the record.</param>
    private async Task AddCoreAsync(string by, string? node, string? exceptNode, List<string> steps)
    {
        const string Operation = "member add";
        var leader = await LeaderAsync(Operation, by);
        if (leader.ConfigChangePending) throw Refuse(Operation, by, PendingMessage(leader));
        var members = leader.Members.Concat(leader.Learners).ToArray();
        var pinned = members.Any(m => ReplicaKey.SplitMember(m).Node is not null);
        if (node is not null)
        {
            if (!pinned) throw Refuse(Operation, by, $"the replicas of group '{Group}' are not pinned to nodes; add one without --node");
            if (!nodes.IsUp(node)) throw Refuse(Operation, by, $"node {node} is not up: no active silo is named {node}");
        }
        else if (pinned)
        {
            node = await SpareNodeAsync(leader, exceptNode)
                ?? throw Refuse(Operation, by, $"every live node already holds a replica of group '{Group}' ({string.Join(", ", nodes.ActiveNodes())}); start a node, or name one with --node");
        }

        var reserved = await AtLeaderAsync(Operation, by, (replica, remaining) => replica.ReserveReplicaName(remaining));
        var name = reserved.Value!;
        var member = ReplicaKey.Member(name, node);
        Step(by, $"reserved the name {name}{(node is null ? "" : $" for node {node}")}");

        // Created before it is added: a learner in the configuration with no replica behind it would only be noise.
        // It gets the group's bootstrap configuration, not itself in it, and learns the rest from the leader.
        await Replica(member).Join((await LeaderAsync(Operation, by)).BootstrapMembers);
        Step(by, $"created {name} with an empty log{(node is null ? "" : $" on node {node}")}");
        var added = await AtLeaderAsync(Operation, by, (replica, remaining) => replica.ChangeMembership(new MembershipChange(MembershipChangeKind.AddLearner, name, node), remaining),
            onFailed: () => SettleFailedAddAsync(Operation, by, name, member));
        var at = added.Index > 0 ? $"at index {added.Index}" : "by an earlier attempt whose answer was lost";
        steps.Add($"added {name}{(node is null ? "" : $" on node {node}")} as a learner {at}");
        Step(by, $"added {name} as a learner {at}");

        // The leader promotes it once caught up; wait for that, so the next change sees it as a voter.
        var deadline = timeProvider.GetTimestamp();
        while (timeProvider.GetElapsedTime(deadline) < _options.LearnerCatchUpTimeout)
        {
            var now = LeaderOf(await StatusesAsync());
            if (now is not null && now.Members.Select(ReplicaKey.NameOf).Contains(name))
            {
                steps.Add($"{name} caught up and was promoted to voter");
                Step(by, $"{name} promoted to voter");
                return;
            }
            await Task.Delay(_options.TickInterval, timeProvider);
        }
        steps.Add($"{name} is still a learner after {_options.LearnerCatchUpTimeout.TotalSeconds:0.###} s; the leader promotes it once it catches up");
        Step(by, $"{name} not yet promoted");
    }

    /// <summary>
    /// After an add was refused or not answered in time: an earlier attempt whose answer was lost may have added the
    /// learner (a retry is then told it is already one), or may still be pending at the leader. Its replica is retired
    /// only if a settled configuration lacks it; retiring a replica the configuration names leaves a learner that can
    /// never catch up, and that the leader can never promote.
    /// </summary>
    /// <returns>A success if the configuration holds the learner; null if the add did not happen.</returns>
    private async Task<KvResponse?> SettleFailedAddAsync(string operation, string by, string name, string member)
    {
        await WaitForNoPendingChangeAsync();
        ReplicaStatus leader;
        try
        {
            leader = await LeaderAsync(operation, by);
        }
        catch (InvalidOperationException)
        {
            Step(by, $"{name} is kept: with no leader, whether it was added is unknown");
            return null;
        }
        if (leader.Members.Concat(leader.Learners).Any(m => ReplicaKey.NameOf(m) == name))
        {
            Step(by, $"{name} was added by an earlier attempt whose answer was lost");
            return new KvResponse { Status = KvStatus.Ok, ServedBy = leader.Replica };
        }
        if (leader.ConfigChangePending)
        {
            Step(by, $"{name} is kept: the change pending at leader {leader.Replica} may be its addition");
            return null;
        }
        await RetireAsync(by, name, member);
        return null;
    }

    /// <param name="by">The operation the removal is part of, for the record.</param>
    private async Task RemoveCoreAsync(string by, string name, List<string> steps, string? avoidNode = null)
    {
        const string Operation = "member remove";
        var statuses = await StatusesAsync();
        var leader = LeaderOf(statuses) ?? await LeaderAsync(Operation, by);
        var member = leader.Members.Concat(leader.Learners).FirstOrDefault(m => ReplicaKey.NameOf(m) == name)
            ?? throw Refuse(Operation, by, $"{name} is not a member of group '{Group}' (members: {Names(leader.Members.Concat(leader.Learners))})");
        if (leader.ConfigChangePending) throw Refuse(Operation, by, PendingMessage(leader));
        var isVoter = leader.Members.Contains(member);
        if (isVoter)
        {
            var remaining = leader.Members.Where(m => m != member).Select(ReplicaKey.NameOf).ToArray();
            if (remaining.Length == 0) throw Refuse(Operation, by, $"{name} is the last voter of group '{Group}'");
            var live = statuses.Where(s => s.IsLive && remaining.Contains(s.Replica)).ToArray();
            var quorum = remaining.Length / 2 + 1;
            if (live.Length < quorum)
            {
                throw Refuse(Operation, by,
                    $"removing {name} would leave {live.Length} live voter{(live.Length == 1 ? "" : "s")} of {remaining.Length}, below a majority ({quorum}): " +
                    "the group could not commit the change or anything after it; bring replicas back, or add one first");
            }
            if (leader.Replica == name)
            {
                // Removing the leader: hand over first, so the group never waits out an election.
                var target = live.Where(s => avoidNode is null || s.Node != avoidNode).OrderByDescending(s => s.LastApplied).FirstOrDefault()
                    ?? live.OrderByDescending(s => s.LastApplied).First();
                Step(by, $"{name} leads: transferring leadership to {target.Replica} first");
                await HandOverAsync(by, target.Replica);
                steps.Add($"moved leadership from {name} to {target.Replica}");
            }
        }

        var removed = await AtLeaderAsync(Operation, by, (replica, remaining) => replica.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, name), remaining));
        Step(by, $"removed {name} at index {removed.Index}");
        var retired = await RetireAsync(by, name, member);
        steps.Add($"removed {name}{(ReplicaKey.SplitMember(member).Node is { } n ? $" (node {n})" : "")} at index {removed.Index}" +
            (retired ? "; its storage is retired" : "; it did not answer: it retires itself if it learns of the removal, else delete its data on its node"));
    }

    /// <summary>Retires a removed replica: it usually has already, on applying its removal.</summary>
    private async Task<bool> RetireAsync(string by, string name, string member)
    {
        try
        {
            await Replica(member).Retire().WaitAsync(_options.RequestTimeout);
            Step(by, $"retired {name}'s storage");
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // It may have retired itself meanwhile, on learning of its removal.
            try
            {
                if (!(await Replica(member).GetStatus().WaitAsync(_options.RequestTimeout)).HasStoredState)
                {
                    Step(by, $"{name} had retired its storage itself");
                    return true;
                }
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                NotRetired(again);
                return false;
            }
            NotRetired(ex);
            return false;
        }

        void NotRetired(Exception ex)
        {
            logger.RemovedReplicaNotRetired(ex, Group, name);
            Record(by, $"{name} did not answer: it retires its storage itself if it learns of its removal", refused: false);
        }
    }

    /// <summary>
    /// A live node that holds none of the group's replicas, if any: of those, the one that holds the fewest replicas of
    /// the store's groups (as their directories know them), so replacements spread over the nodes.
    /// </summary>
    private async Task<string?> SpareNodeAsync(ReplicaStatus leader, string? exceptNode)
    {
        var used = leader.Members.Concat(leader.Learners).Select(m => ReplicaKey.SplitMember(m).Node).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var spares = nodes.ActiveNodes().Where(n => n != exceptNode && !used.Contains(n)).ToArray();
        if (spares.Length <= 1 || !layout.IsSharded) return spares.FirstOrDefault();
        var held = (await Task.WhenAll(layout.Groups.Select(g => GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(g).GetMembers())))
            .SelectMany(m => m).Select(m => ReplicaKey.SplitMember(m).Node).OfType<string>()
            .CountBy(n => n, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        return spares.OrderBy(n => held.GetValueOrDefault(n)).ThenBy(n => n, StringComparer.Ordinal).First();
    }

    /// <summary>Refuses an operation on a store split over several groups: it is no group, and one must be named.</summary>
    private void EnsureGroup(string operation)
    {
        if (layout.IsSharded && Group == layout.Store) throw Refuse(operation, operation, layout.NotAGroup(operation));
    }

    private string PendingMessage(ReplicaStatus leader) =>
        $"another membership change is in progress at leader {leader.Replica} (not yet committed): one change at a time; retry once it commits";

    private async Task WaitForNoPendingChangeAsync()
    {
        var started = timeProvider.GetTimestamp();
        while (timeProvider.GetElapsedTime(started) < _options.RequestTimeout)
        {
            if (LeaderOf(await StatusesAsync()) is { ConfigChangePending: false }) return;
            await Task.Delay(_options.TickInterval, timeProvider);
        }
    }

    /// <summary>
    /// Runs a call at the leader, following leadership changes until the request timeout. Ok is returned; a refusal
    /// or a timeout throws with the replica's reason.
    /// </summary>
    /// <param name="onFailed">On a refusal or no answer: may find that the change took effect after all.</param>
    private async Task<KvResponse> AtLeaderAsync(string operation, string by, Func<IRaftReplicaGrain, TimeSpan, Task<KvResponse>> call, Func<Task<KvResponse?>>? onFailed = null)
    {
        KvResponse? last = null;
        var answer = await RetryUntilDeadline.RunAsync(timeProvider, _options.RequestTimeout, _options.TickInterval, async remaining =>
        {
            var leader = LeaderOf(await StatusesAsync());
            if (leader is null) return RetryStep<KvResponse>.AfterPause;
            var response = await call(Replica(Member(leader)), remaining);
            last = response;
            return response.Status is KvStatus.NotLeader or KvStatus.Unavailable ? RetryStep<KvResponse>.AfterPause : RetryStep<KvResponse>.Answer(response);
        });
        if (answer is { Status: KvStatus.Ok }) return answer;
        if (onFailed is not null && await onFailed() is { } settled) return settled;
        var reason = (answer ?? last)?.Error ?? $"no leader of group '{Group}' answered within {_options.RequestTimeout.TotalSeconds:0.###} s";
        throw Refuse(operation, by, reason);
    }

    private async Task<ReplicaStatus> LeaderAsync(string operation, string by)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var statuses = await StatusesAsync();
            if (statuses.Length == 0) throw Refuse(operation, by, $"unknown group '{Group}': no replicas are registered");
            if (LeaderOf(statuses) is { } leader) return leader;
            if (timeProvider.GetElapsedTime(started) > _options.RequestTimeout)
                throw Refuse(operation, by, $"no leader in group '{Group}': membership changes need one");
            await Task.Delay(_options.TickInterval, timeProvider);
        }
    }

    /// <summary>The live leader of the newest term, if any.</summary>
    private static ReplicaStatus? LeaderOf(ReplicaStatus[] statuses) =>
        statuses.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault();

    /// <summary>Every registered member's status; one that does not answer shows its error.</summary>
    private async Task<ReplicaStatus[]> StatusesAsync()
    {
        var members = await GrainFactory.GetGrain<IRaftGroupDirectoryGrain>(Group).GetMembers();
        return await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return await Replica(m).GetStatus().WaitAsync(_options.GatewayAttemptTimeout * 4, timeProvider);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new ReplicaStatus { Group = Group, Replica = ReplicaKey.NameOf(m), Node = ReplicaKey.SplitMember(m).Node, Error = ex.Message };
            }
        }));
    }

    /// <summary>
    /// A transfer has one election timeout to finish, and a loaded node can miss it (the old leader wins again); a
    /// removal then tries twice more before it gives up, as an operator would.
    /// </summary>
    private async Task HandOverAsync(string by, string target)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await GrainFactory.GetGrain<IKeyValueGatewayGrain>(Group).TransferLeadership(target);
                return;
            }
            catch (Exception ex) when (attempt < 3 && ex is not OperationCanceledException and not TimeoutException)
            {
                Step(by, $"the transfer to {target} failed ({ex.Message}); trying again");
            }
        }
    }

    private IRaftReplicaGrain Replica(string member) => GrainFactory.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(Group, member));

    private static string Member(ReplicaStatus s) => ReplicaKey.Member(s.Replica, s.Node);

    private static string Names(IEnumerable<string> members) => string.Join(", ", members.Select(ReplicaKey.NameOf));

    private void Step(string by, string step)
    {
        logger.MembershipStep(Group, step);
        Record(by, step, refused: false);
    }

    /// <param name="operation">The part refused, as the log names it.</param>
    /// <param name="by">The operation it is part of, for the record.</param>
    private InvalidOperationException Refuse(string operation, string by, string reason)
    {
        logger.MembershipRefused(Group, operation, reason);
        Record(by, $"{operation} refused: {reason}", refused: true);
        return new InvalidOperationException(reason);
    }

    private void Record(string by, string text, bool refused)
    {
        _record.Enqueue(new MembershipEvent { Sequence = ++_sequence, Time = timeProvider.GetUtcNow(), Operation = by, Text = text, Refused = refused });
        while (_record.Count > RecordedSteps) _record.Dequeue();
    }
}
