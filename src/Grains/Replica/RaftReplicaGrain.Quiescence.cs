using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Coalescing;
using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Replica;

// Quiescence and coalesced heartbeats: the shell's half. The core decides when a group may quiesce and what wakes a
// replica on its own (RaftNode.Quiesce, Wake); this part stops and starts the tick timer to match, adds the conditions
// only the shell knows, and wakes replicas on what no Raft message brings.
public sealed partial class RaftReplicaGrain : IQuiescentReplicaGrain, IIncomingGrainCallFilter
{
    // Requests that wake the replica they reach: a follower that cannot reach its leader must campaign for the client.
    private static readonly HashSet<string> WakingMethods =
    [
        nameof(Execute), nameof(OpenSession), nameof(ReserveReplicaName), nameof(ChangeMembership), nameof(TransferLeadership),
        nameof(StartElection), nameof(Start), nameof(Join),
    ];

    // Per leader, the term, highest index and heartbeat round this replica last acknowledged to it: a reply that says no
    // more is a reply to a plain heartbeat, and may wait for the tick's batch.
    private readonly Dictionary<string, (long Term, long Index, long Round)> _acknowledged = new(StringComparer.Ordinal);
    private HeartbeatOutbox? _outbox;
    private QuiescenceWatch? _watch;
    private ReplicaKeepAlive? _keepAlive;
    private bool _sleeping; // quiesced, its timer stopped and its wake registered with the silo's watch

    private HeartbeatOutbox Outbox => _outbox ??= ServiceProvider.GetRequiredService<HeartbeatOutbox>();

    private QuiescenceWatch Sleepers => _watch ??= ServiceProvider.GetRequiredService<QuiescenceWatch>();

    private ReplicaKeepAlive KeepAlive => _keepAlive ??= ServiceProvider.GetRequiredService<ReplicaKeepAlive>();

    /// <summary>
    /// Keeps a running replica's activation, and its group's directory entry, alive: for a replica pinned to a node, the
    /// node's <see cref="ReplicaKeepAlive"/> and no idle collection (a quiesced replica has no timer to keep it); for
    /// one that is not, a reminder, which also restarts it on another silo if its silo dies.
    /// </summary>
    private Task KeepAliveAsync()
    {
        // A pinned one is kept from idle collection whenever it starts to run (StartTicking).
        return _homeNode is null ? this.RegisterOrUpdateReminder(KeepAliveReminder, _options.ReminderPeriod, _options.ReminderPeriod) : Task.CompletedTask;
    }

    /// <summary>A pinned replica whose activation ended while its node runs comes back, as a reminder would have brought it.</summary>
    private void ReactivateIfNeeded(DeactivationReason reason)
    {
        if (_homeNode is null || _retiring is not null || !_hasStoredState) return;
        // Not when its silo stops, nor when another activation of it lives on.
        if (reason.ReasonCode is DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.Migrating or DeactivationReasonCode.ActivationIdle
            or DeactivationReasonCode.DuplicateActivation or DeactivationReasonCode.DirectoryFailure) return;
        KeepAlive.ReactivateLater(this.GetPrimaryKeyString());
    }

    /// <summary>A reminder registered for a pinned replica before the node kept it alive instead: dropped at its first tick.</summary>
    private async Task DropReminderAsync(string reminderName)
    {
        if (await this.GetReminder(reminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (_node is { Quiesced: true } && WakingMethods.Contains(context.MethodName)) WakeNode($"{context.MethodName} request");
        return context.Invoke();
    }

    public Task Wake(string reason)
    {
        WakeNode(reason);
        return Task.CompletedTask;
    }

    private void WakeNode(string reason)
    {
        if (_node is not { Quiesced: true } node) return;
        node.Wake();
        logger.ReplicaWoke(_group, _name, reason);
        SyncQuiescence();
    }

    /// <summary>
    /// At each tick, before ticking: a leader whose group is idle quiesces it. The core checks the log and the
    /// followers' progress (<see cref="RaftNode.CanQuiesce"/>); the shell adds what only it knows: no client waits for an
    /// entry or a read, no learner waits for promotion, no self-repair is under way, and every member's node is up.
    /// </summary>
    /// <remarks>
    /// The safety argument is in RaftNode.Quiescence.cs: quiescence changes no term, vote or commit, so it cannot let
    /// two leaders serve, and every follower of a quiesced leader holds every acknowledged write. What the shell must add
    /// is the wake: when a member's node dies (<see cref="QuiescenceWatch"/>), so followers campaign an election timeout
    /// later; when a fault is injected into the group; and when a request reaches a replica (<see cref="Invoke"/>), so
    /// a follower cut off from a quiesced leader campaigns as soon as a client needs it. Any Raft message wakes a
    /// follower, so a peer's vote request wakes it too.
    /// </remarks>
    private bool MaybeQuiesce(RaftNode node)
    {
        if (!_options.Quiesce || node.Role != RaftRole.Leader || _pending.Count > 0 || _reads.Count > 0 || _repairing || _deadSince.Count > 0) return false;
        // Leases expire by the leader's ticks.
        if (node.Configuration.Learners.Count > 0 || _stateMachine.LeaseIds.Count > 0 || !MaySleep(node) || !node.Quiesce()) return false;
        return true;
    }

    /// <summary>
    /// Whether this replica may stay quiesced: quiescence is on, every member is pinned to a node that is up (a replica
    /// not pinned to a node has no node whose death would wake it), it is healthy, and no fault is injected into its
    /// group: a stopped replica or a cut link is a failure that no node's death announces, so only ticking finds it.
    /// </summary>
    private bool MaySleep(RaftNode node) =>
        _options.Quiesce && !_stopped && _storageError is null && _removedAt == 0
        && faults.For(_group).IsEmpty
        && node.Configuration.All.All(m => m.Node.Length > 0 && nodes.IsUp(m.Node));

    /// <summary>After every input (the end of each pump): stop or start the tick timer to match the node.</summary>
    private void SyncQuiescence()
    {
        var node = _node;
        // A follower may be told to quiesce by a leader whose node has just died, or with quiescence off here.
        if (node is { Quiesced: true } && !MaySleep(node)) node.Wake();
        var sleep = node is { Quiesced: true };
        if (sleep == _sleeping) return;
        var key = this.GetPrimaryKeyString();
        if (sleep)
        {
            Sleepers.Add(key, _group, [.. node!.Configuration.All.Select(m => m.Node).Distinct()]);
            // Registered first, then checked: a node that dies, or a fault injected, in between is seen by one or the other.
            if (!MaySleep(node))
            {
                Sleepers.Remove(key);
                node.Wake();
                return;
            }
            _sleeping = true;
            _timer?.Dispose();
            _timer = null;
            metrics.ReportQuiesced(_group, _name, true);
            logger.ReplicaQuiesced(_group, _name, node.Role.ToString(), node.CommitIndex);
            return;
        }
        _sleeping = false;
        Sleepers.Remove(key);
        metrics.ReportQuiesced(_group, _name, false);
        if (node is not null && _timer is null) StartTicking();
    }

    /// <summary>The node stopped: it no longer sleeps, and nothing needs to wake it.</summary>
    private void ForgetQuiescence()
    {
        _acknowledged.Clear();
        if (_homeNode is not null) KeepAlive.Stopped(this.GetPrimaryKeyString());
        if (!_sleeping) return;
        _sleeping = false;
        Sleepers.Remove(this.GetPrimaryKeyString());
    }

    private void StartTicking()
    {
        // Once quiesced it has no timer to keep its activation; a pinned replica has no reminder either.
        if (_homeNode is not null) DelayDeactivation(Timeout.InfiniteTimeSpan);
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions
        {
            DueTime = _options.TickInterval,
            Period = _options.TickInterval,
            Interleave = true,
            KeepAlive = true,
        });
    }

    /// <summary>
    /// Sends a message with the tick's batch to its node if it is one that no one waits for: a heartbeat or a commit
    /// notice (an append with no entries), a quiesce notice, or a success reply that tells its leader nothing new.
    /// Appends with entries, votes, snapshots, rejections, TimeoutNow, reads and the heartbeat rounds that confirm them go
    /// at once.
    /// </summary>
    private bool TryCoalesce(RaftMessage m, string node, string member)
    {
        if (!_options.CoalesceHeartbeats) return false;
        var coalesce = m.Type switch
        {
            MessageType.Quiesce => true,
            MessageType.AppendEntries => m.Entries.Count == 0 && _node is not { PendingReads: > 0 },
            MessageType.AppendEntriesResponse when !m.Reject => !IsNews(m),
            _ => false,
        };
        if (!coalesce) return false;
        Outbox.Enqueue(node, ReplicaKey.Format(_group, member), EnvelopeMapper.ToWire(m) with { FromMember = _member });
        metrics.MessagesCoalesced.Add(1);
        return true;
    }

    /// <summary>
    /// A success reply is news when it acknowledges more than this replica last told that leader in that term: a higher
    /// index, or a new heartbeat round, which only reads begin unless lease reads begin one at every heartbeat.
    /// </summary>
    private bool IsNews(RaftMessage reply)
    {
        if (!_acknowledged.TryGetValue(reply.To, out var last) || last.Term != reply.Term)
        {
            _acknowledged[reply.To] = (reply.Term, reply.Index, reply.Round);
            return true;
        }
        _acknowledged[reply.To] = (reply.Term, Math.Max(last.Index, reply.Index), Math.Max(last.Round, reply.Round));
        return reply.Index > last.Index || (reply.Round > last.Round && _options.ReadMode != RaftReadMode.Lease);
    }
}
