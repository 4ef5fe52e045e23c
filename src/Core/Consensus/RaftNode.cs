namespace Orleans.Raft.Consensus;

/// <summary>
/// The Raft consensus algorithm (Figure 2 of the Raft paper, with etcd's pre-vote and check-quorum) as a deterministic
/// state machine: no clock, no I/O, no threads. Ticks and messages go in; a <see cref="Ready"/> comes out with state to
/// persist, messages to send and committed entries to apply. Modelled on etcd-io/raft's raft.go and rawnode.go.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftConfig _config;
    private readonly IRaftRandom _random;
    private readonly Dictionary<string, Progress> _progress = [];
    private readonly Dictionary<string, bool> _votes = [];
    private readonly List<RaftMessage> _outbox = [];

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private bool _broadcastPending;

    // This leader's proposals of its own term not yet committed, and their payload bytes (etcd's uncommittedSize).
    private int _uncommittedEntries;
    private long _uncommittedBytes;

    // The configuration in force: that of the latest committed ConfigChange entry, else the snapshot's, else the bootstrap.
    private GroupConfiguration _configuration;

    // Leader only: the index of its latest configuration change; none other is proposed until it commits (etcd's pendingConfIndex).
    private long _pendingConfIndex;

    // Leader only: the index of an uncommitted change removing this leader (0 if none); it appends nothing after it.
    private long _selfRemovalIndex;

    // Leader only: the voter it is handing leadership to, or null. Proposals are refused meanwhile, for at most an election timeout.
    private string? _leadTransferee;

    // Invariant: entries are contiguous from FirstIndex; SnapshotIndex <= CommitIndex <= LastIndex; a leader only appends.
    private readonly RaftLog _log;

    // What of _log and HardState is not yet durable, and the Ready in flight.
    private readonly Unstable _unstable;

    // A snapshot from the leader that the next Ready must persist and restore; and one being received in chunks.
    private SnapshotData? _pendingSnapshot;
    private IncomingSnapshot? _incoming;

    // One stream: a snapshot from one leader in one term. Two leaders may hold different bytes for the same (index, term).
    private sealed record IncomingSnapshot(string From, long LeaderTerm, long Index, long Term, long Checksum)
    {
        public MemoryStream Data { get; } = new();

        /// <summary>Chunks that arrived ahead of a gap, by offset (several are in flight, and the network reorders).</summary>
        public SortedDictionary<long, (byte[] Data, bool Done)> Ahead { get; } = [];

        public bool IsStreamOf(RaftMessage m) =>
            From == m.From && LeaderTerm == m.Term && Index == m.Index && Term == m.LogTerm && Checksum == m.Checksum;
    }

    /// <param name="entries">The stored log: contiguous entries, those at or below the snapshot kept only when they reach it with its term.</param>
    /// <param name="snapshot">The stored snapshot, if any.</param>
    public RaftNode(RaftConfig config, HardState hardState, IEnumerable<LogEntry> entries, IRaftRandom random, SnapshotData? snapshot = null)
        : this(config, hardState, new RaftLog(entries, snapshot?.Index ?? 0, snapshot?.Term ?? 0), random, snapshot)
    {
    }

    /// <param name="snapshot">The stored snapshot, if any; its index and term must be those the log starts after.</param>
    internal RaftNode(RaftConfig config, HardState hardState, RaftLog log, IRaftRandom random, SnapshotData? snapshot = null)
    {
        if (snapshot is not null && (snapshot.Index != log.SnapshotIndex || snapshot.Term != log.SnapshotTerm))
            throw new RaftInvariantException($"snapshot ({snapshot.Index}, {snapshot.Term}) does not match the log's start ({log.SnapshotIndex}, {log.SnapshotTerm})");
        if (snapshot is null && log.SnapshotIndex > 0)
            throw new RaftInvariantException($"the log starts after index {log.SnapshotIndex} but no snapshot was given");
        Snapshot = snapshot;
        config.Validate();
        _config = config;
        _random = random;
        _log = log;
        CurrentTerm = hardState.CurrentTerm;
        VotedFor = hardState.VotedFor;
        if (hardState.CommitIndex > log.LastIndex)
            throw new RaftInvariantException($"stored commitIndex {hardState.CommitIndex} is past the last log index {log.LastIndex}");
        CommitIndex = Math.Max(hardState.CommitIndex, log.SnapshotIndex);
        LastApplied = log.SnapshotIndex;
        _configuration = ConfigurationAt(CommitIndex);
        _unstable = new Unstable(log.LastIndex, hardState);
        BecomeFollower(CurrentTerm, null);
        _restartLease = config.ReadOnlyLeaseBased;
    }

    public string Id => _config.Id;

    /// <summary>The voters of the configuration in force.</summary>
    public IReadOnlyList<string> Members => _configuration.VoterIds;

    /// <summary>The learners of the configuration in force.</summary>
    public IReadOnlyList<string> Learners => _configuration.LearnerIds;

    /// <summary>The configuration in force: the latest committed change, else the snapshot's, else the bootstrap one.</summary>
    public GroupConfiguration Configuration => _configuration;

    /// <summary>The voter this leader is handing leadership to, or null.</summary>
    public string? LeadTransferee => _leadTransferee;
    public RaftRole Role { get; private set; }
    public long CurrentTerm { get; private set; }
    public string? VotedFor { get; private set; }
    public string? LeaderId { get; private set; }
    public long CommitIndex { get; private set; }
    public long LastApplied { get; private set; }

    /// <summary>A read-only view of the in-memory log.</summary>
    public IRaftLogView Log => _log;

    /// <summary>The latest snapshot: what this replica sends a follower that needs compacted entries.</summary>
    public SnapshotData? Snapshot { get; private set; }
    public HardState HardState => new(CurrentTerm, VotedFor, CommitIndex);
    public int Quorum => _configuration.Quorum;

    /// <summary>The leader's view of each follower, as of now (empty unless leader).</summary>
    public IReadOnlyDictionary<string, ProgressStatus> Progress => _progress.ToDictionary(p => p.Key, p => p.Value.ToStatus());

    /// <summary>The leader's mutable tracker of one follower, for white-box tests.</summary>
    internal Progress ProgressOf(string peer) => _progress[peer];

    /// <summary>Everything a shell or a test reads about this node, as of now.</summary>
    public RaftStatus Status() => new(
        Id, Members,
        Role, LeaderId,
        CurrentTerm, VotedFor, CommitIndex, LastApplied,
        _log.FirstIndex, _log.LastIndex, _log.LastTerm, _log.SnapshotIndex, _log.SnapshotTerm,
        _uncommittedEntries, _uncommittedBytes,
        Progress)
    {
        Configuration = _configuration,
        PendingConfigIndex = Role == RaftRole.Leader ? _pendingConfIndex : 0,
        LeadTransferee = _leadTransferee,
    };

    /// <summary>Commands this leader proposed in its term that have not committed yet (0 unless leader).</summary>
    public int UncommittedEntries => _uncommittedEntries;

    /// <summary>The payload bytes of <see cref="UncommittedEntries"/>.</summary>
    public long UncommittedBytes => _uncommittedBytes;

    /// <summary>The other voters: those asked for votes.</summary>
    private IEnumerable<string> VotingPeers => _configuration.Voters.Select(m => m.Id).Where(m => m != Id);

    /// <summary>True when this replica may campaign: only voters do (learners and removed replicas never do).</summary>
    private bool IsPromotable => _configuration.IsVoter(Id);

    // ---- inputs ----

    /// <summary>Advances logical time by one tick.</summary>
    public void Tick()
    {
        if (Quiesced) return; // its timers stand still until an input wakes it
        if (Role == RaftRole.Leader)
        {
            _leaderTicks++;
            _heartbeatElapsed++;
            _electionElapsed++;
            if (_electionElapsed >= _config.ElectionTick)
            {
                _electionElapsed = 0;
                // A transfer that did not finish within an election timeout is abandoned (etcd's abortLeaderTransfer).
                _leadTransferee = null;
                if (_config.CheckQuorum && !QuorumActive())
                {
                    BecomeFollower(CurrentTerm, null);
                    return;
                }
            }
            if (_heartbeatElapsed >= _config.HeartbeatTick)
            {
                _heartbeatElapsed = 0;
                // With leases every heartbeat is a round, to renew the lease; otherwise only pending reads need one.
                if (_config.ReadOnlyLeaseBased || _readRoundPending) BeginRound();
                BroadcastHeartbeat();
            }
            return;
        }

        _electionElapsed++;
        if (_electionElapsed >= _randomizedElectionTimeout && IsPromotable)
        {
            _electionElapsed = 0;
            Campaign(force: false);
        }
    }

    /// <summary>
    /// Starts an election now (the paper's debug-startElection). A forced election skips pre-vote and asks voters to
    /// ignore their leader lease; a leader, a learner and a replica outside the configuration ignore it.
    /// </summary>
    public void Campaign(bool force)
    {
        Wake();
        if (Role == RaftRole.Leader || !IsPromotable) return;
        if (_config.PreVote && !force) BecomePreCandidate();
        else BecomeCandidate(force);
    }

    /// <summary>
    /// Appends a command to the log if this replica leads and its uncommitted backlog is within
    /// <see cref="RaftConfig.MaxUncommittedEntries"/> and <see cref="RaftConfig.MaxUncommittedBytes"/>. As in etcd, a
    /// proposal is always admitted when nothing is uncommitted, so one larger than the byte bound is not refused forever.
    /// </summary>
    public ProposeResult Propose(byte[] data)
    {
        Wake();
        if (Role != RaftRole.Leader) return ProposeResult.NotLeader(LeaderId);
        if (_leadTransferee is not null) return TransferRefusal();
        if (_selfRemovalIndex > 0) return RemovalRefusal();
        if (_uncommittedEntries >= _config.MaxUncommittedEntries
            || (_uncommittedBytes > 0 && data.Length > 0 && _uncommittedBytes + data.Length > _config.MaxUncommittedBytes))
        {
            return ProposeResult.Refused(Id);
        }
        _uncommittedEntries++;
        _uncommittedBytes += data.Length;
        var entry = new LogEntry(_log.LastIndex + 1, CurrentTerm, LogEntryType.Command, data);
        AppendAsLeader(entry);
        return new ProposeResult(true, entry.Index, entry.Term, Id);
    }

    /// <summary>
    /// Appends a single-server membership change (see <see cref="GroupConfiguration"/>), in effect once it commits.
    /// Refused, with a reason, unless this replica leads, no transfer is in progress, no other change is uncommitted,
    /// the leader has committed an entry of its own term, and the change is valid in the configuration in force.
    /// </summary>
    public ProposeResult ProposeConfigChange(ConfigChange change)
    {
        Wake();
        if (Role != RaftRole.Leader) return ProposeResult.NotLeader(LeaderId);
        if (_leadTransferee is not null) return TransferRefusal();
        if (_selfRemovalIndex > 0) return RemovalRefusal();
        if (_pendingConfIndex > CommitIndex)
            return ProposeResult.Refused(Id, ProposeRefusal.ConfigChangePending, $"the configuration change at index {_pendingConfIndex} is not committed yet");
        if (_log.TermAt(CommitIndex) != CurrentTerm)
            return ProposeResult.Refused(Id, ProposeRefusal.NotCommittedInTerm, $"the leader has not committed an entry of its term {CurrentTerm} yet");
        var next = _configuration.TryApply(change, out var error);
        if (next is null) return ProposeResult.Refused(Id, ProposeRefusal.InvalidChange, error!);
        var entry = new LogEntry(_log.LastIndex + 1, CurrentTerm, LogEntryType.ConfigChange, next.Encode());
        _pendingConfIndex = entry.Index;
        if (!next.IsVoter(Id)) _selfRemovalIndex = entry.Index;
        AppendAsLeader(entry);
        return new ProposeResult(true, entry.Index, entry.Term, Id);
    }

    /// <summary>
    /// Hands leadership to a voter (Raft thesis §3.10): this leader stops taking proposals, brings the target's log up to
    /// date, then tells it to campaign at once (TimeoutNow). Abandoned after an election timeout, or when this replica
    /// stops leading. Accepted means the transfer began; the target leads once it wins the election.
    /// </summary>
    public ProposeResult TransferLeadership(string target)
    {
        Wake();
        if (Role != RaftRole.Leader) return ProposeResult.NotLeader(LeaderId);
        if (target == Id) return ProposeResult.Refused(Id, ProposeRefusal.InvalidChange, $"{target} already leads");
        if (!_configuration.IsVoter(target))
        {
            var what = _configuration.IsLearner(target) ? "a learner" : "not a member of the group";
            return ProposeResult.Refused(Id, ProposeRefusal.InvalidChange, $"cannot transfer leadership to {target}: it is {what}");
        }
        if (_leadTransferee == target) return new ProposeResult(true, 0, CurrentTerm, Id);
        _leadTransferee = target;
        _electionElapsed = 0; // the transfer has one election timeout to finish
        var pr = _progress[target];
        if (pr.MatchIndex == _log.LastIndex) SendTimeoutNow(target);
        else SendAppend(target, pr);
        return new ProposeResult(true, 0, CurrentTerm, Id);
    }

    /// <summary>The configuration as of a committed index this replica holds (or its snapshot covers).</summary>
    public GroupConfiguration ConfigurationAt(long index)
    {
        for (var i = Math.Min(index, _log.LastIndex); i >= _log.FirstIndex && i > 0; i--)
        {
            var e = _log.At(i);
            if (e.Type == LogEntryType.ConfigChange) return GroupConfiguration.Decode(e.Data);
        }
        return Snapshot?.Configuration ?? _config.Bootstrap;
    }

    private ProposeResult RemovalRefusal() =>
        ProposeResult.Refused(Id, ProposeRefusal.LeaderBeingRemoved, $"this leader is being removed from the group (change at index {_selfRemovalIndex})");

    private ProposeResult TransferRefusal() =>
        ProposeResult.Refused(Id, ProposeRefusal.LeadershipTransferInProgress, $"leadership transfer in progress (to {_leadTransferee})");

    /// <summary>
    /// Drops log entries up to index (but the last <see cref="RaftConfig.SnapshotCatchUpEntries"/>), which the shell has
    /// saved in a durable snapshot of the state machine. Only applied entries can be compacted.
    /// </summary>
    public void Compact(long index, byte[] data) => Compact(new SnapshotData(index, _log.TermAt(index) ?? 0, data));

    /// <inheritdoc cref="Compact(long, byte[])"/>
    /// <remarks>A snapshot without a configuration gets the one in force at its index (<see cref="ConfigurationAt"/>).</remarks>
    public void Compact(SnapshotData snapshot)
    {
        var index = snapshot.Index;
        if (index <= _log.SnapshotIndex) return; // a newer snapshot arrived meanwhile
        if (index > LastApplied) throw new ArgumentOutOfRangeException(nameof(snapshot), $"cannot compact to {index}: only {LastApplied} is applied");
        var term = _log.TermAt(index)!.Value;
        if (term != snapshot.Term) throw new ArgumentException($"snapshot at {index} has term {snapshot.Term}, the log {term}", nameof(snapshot));
        var configuration = ConfigurationAt(index);
        if (snapshot.Configuration is { } given && !given.Equals(configuration))
            throw new ArgumentException($"snapshot at {index} has configuration {given}, the log {configuration}", nameof(snapshot));
        _log.CompactTo(index, _config.SnapshotCatchUpEntries);
        Snapshot = snapshot.Configuration is null ? snapshot with { Configuration = configuration } : snapshot;
    }

    /// <summary>Handles one message from a peer.</summary>
    public void Step(RaftMessage m)
    {
        if (m.To != Id) throw new ArgumentException($"message for {m.To} stepped into {Id}");
        if (Quiesced && !KeepsQuiet(m)) Wake();
        if (m.Type is MessageType.ReadIndex or MessageType.ReadIndexResponse)
        {
            StepRead(m);
            return;
        }
        // No filter on the sender's membership: a replica that has not yet committed the change adding a leader must
        // still hear it. A term decides who leads; votes count only from voters; replies only from tracked replicas.

        if (m.Term > CurrentTerm)
        {
            if (m.Type is MessageType.RequestVote or MessageType.RequestPreVote)
            {
                // Leader lease: while we hear from a leader, a vote request is a disruption, not a failure (Raft thesis §4.2.3).
                var inLease = _config.CheckQuorum && (LeaderId is not null || _restartLease) && _electionElapsed < _config.ElectionTick;
                if (!m.Force && inLease) return;
            }

            if (m.Type == MessageType.RequestPreVote)
            {
                // A pre-vote never changes our term.
            }
            else if (m.Type == MessageType.RequestPreVoteResponse && !m.Reject)
            {
                // Granted pre-votes carry the term we will campaign at; it is ours to raise when we win.
            }
            else
            {
                BecomeFollower(m.Term, m.Type is MessageType.AppendEntries or MessageType.InstallSnapshot or MessageType.Quiesce ? m.From : null);
            }
        }
        else if (m.Term < CurrentTerm)
        {
            if (m.Type is MessageType.AppendEntries or MessageType.InstallSnapshot or MessageType.Quiesce && (_config.CheckQuorum || _config.PreVote))
            {
                // A stale leader that cannot hear the new term would otherwise never step down. As in etcd, a plain
                // response, not a reject carrying m.Index: the sender may lead our term by the time this arrives, and
                // would take that older term's prevLogIndex for a reject of its own, backing nextIndex off past its log.
                Send(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm });
            }
            else if (m.Type == MessageType.RequestPreVote)
            {
                Send(new RaftMessage { Type = MessageType.RequestPreVoteResponse, From = Id, To = m.From, Term = CurrentTerm, Reject = true });
            }
            return;
        }

        switch (m.Type)
        {
            case MessageType.RequestVote:
            case MessageType.RequestPreVote:
                HandleVoteRequest(m);
                return;
        }

        switch (Role)
        {
            case RaftRole.Leader: StepLeader(m); break;
            case RaftRole.Candidate:
            case RaftRole.PreCandidate: StepCandidate(m); break;
            default: StepFollower(m); break;
        }
    }

    // ---- Ready / Advance ----

    public bool HasReady =>
        !_unstable.ReadyInFlight && (_broadcastPending || _outbox.Count > 0 || _unstable.HasUnstable(HardState, _log.LastIndex)
            || CommitIndex > LastApplied || _pendingSnapshot is not null
            || _readRoundPending || _readStates.Count > 0 || _droppedReads.Count > 0);

    /// <summary>Takes what the shell must do next. Call <see cref="Advance"/> once it is done, before the next Ready.</summary>
    public Ready GetReady()
    {
        if (_unstable.ReadyInFlight) throw new InvalidOperationException("the previous Ready has not been advanced");
        if (_readRoundPending)
        {
            // One round for every read taken since the last Ready.
            BeginRound();
            BroadcastReadHeartbeat();
        }
        if (_broadcastPending)
        {
            _broadcastPending = false;
            BroadcastAppend();
        }

        var hs = HardState;
        var entries = _unstable.Entries(_log);
        var committed = _log.Slice(LastApplied + 1, Math.Min(CommitIndex, _log.LastIndex), _config.MaxCommittedEntriesPerReady);
        var rd = new Ready
        {
            Snapshot = _pendingSnapshot,
            HardState = hs != _unstable.StableHardState ? hs : null,
            Entries = entries,
            Messages = [.. _outbox.Where(m => !SendableBeforePersist(m.Type))],
            LeaderMessages = [.. _outbox.Where(m => SendableBeforePersist(m.Type))],
            CommittedEntries = committed,
            LastEntryIndex = _log.LastIndex,
            ReadStates = [.. _readStates],
            DroppedReads = [.. _droppedReads],
        };
        _outbox.Clear();
        _readStates.Clear();
        _droppedReads.Clear();
        _pendingSnapshot = null;
        _unstable.ReadyTaken();
        return rd;
    }

    // Only a leader sends these, and none of them promises anything about the sender's own disk: a follower persists
    // what it receives before it acknowledges, and the leader counts itself toward a commit only once durable (§10.2.1).
    // Everything else (acknowledgements, votes, vote requests carrying a new term) waits for the Ready's state.
    private static bool SendableBeforePersist(MessageType type) =>
        type is MessageType.AppendEntries or MessageType.InstallSnapshot or MessageType.TimeoutNow
            or MessageType.Quiesce or MessageType.ReadIndexResponse;

    /// <summary>Acknowledges that a Ready's state is durable, its messages sent and its committed entries applied.</summary>
    public void Advance(Ready rd)
    {
        if (!_unstable.ReadyInFlight) throw new InvalidOperationException("no Ready in flight");
        _unstable.Advanced(rd, _log.LastIndex);
        // The leader's own entries now count toward the commit.
        if (Role == RaftRole.Leader && rd.Entries.Count > 0 && MaybeCommit()) _broadcastPending = true;
        if (rd.Snapshot is { } snapshot) LastApplied = Math.Max(LastApplied, snapshot.Index);
        if (rd.CommittedEntries.Count > 0) LastApplied = rd.CommittedEntries[^1].Index;
    }

    // ---- roles ----

    private void BecomeFollower(long term, string? leader)
    {
        if (term != CurrentTerm)
        {
            CurrentTerm = term;
            VotedFor = null;
            _incoming = null; // a partial snapshot belongs to the old term's leader
        }
        DropPendingReads();
        Role = RaftRole.Follower;
        LeaderId = leader;
        Quiesced = false;
        ResetTimers();
        _progress.Clear();
        _broadcastPending = false;
        _pendingConfIndex = 0;
        _selfRemovalIndex = 0;
        _leadTransferee = null;
        ResetUncommitted();
    }

    private void BecomePreCandidate()
    {
        if (StartVoting(RaftRole.PreCandidate)) return;
        foreach (var peer in VotingPeers)
        {
            Send(new RaftMessage { Type = MessageType.RequestPreVote, From = Id, To = peer, Term = CurrentTerm + 1, Index = _log.LastIndex, LogTerm = _log.LastTerm });
        }
    }

    private void BecomeCandidate(bool force)
    {
        CurrentTerm++;
        VotedFor = Id;
        if (StartVoting(RaftRole.Candidate)) return;
        foreach (var peer in VotingPeers)
        {
            Send(new RaftMessage { Type = MessageType.RequestVote, From = Id, To = peer, Term = CurrentTerm, Index = _log.LastIndex, LogTerm = _log.LastTerm, Force = force });
        }
    }

    /// <summary>Enters a (pre-)election with its own vote counted; true when that vote alone decides it.</summary>
    private bool StartVoting(RaftRole role)
    {
        Role = role;
        LeaderId = null;
        Quiesced = false;
        _incoming = null;
        _votes.Clear();
        ResetTimers();
        _votes[Id] = true;
        return TryFinishElection();
    }

    private void BecomeLeader()
    {
        Role = RaftRole.Leader;
        LeaderId = Id;
        Quiesced = false;
        _incoming = null;
        ResetTimers();
        _progress.Clear();
        ResetUncommitted(); // the no-op is not counted: it carries no payload
        ResetReadsForLeadership();
        _leadTransferee = null;
        // Any change in the log is settled before the next: none is proposed before this term's no-op commits.
        _pendingConfIndex = _log.LastIndex;
        _selfRemovalIndex = PendingSelfRemoval();
        foreach (var member in _configuration.All.Where(m => m.Id != Id)) Track(member.Id);
        // A leader may only count replicas for entries of its own term (§5.4.2): a no-op commits everything before it.
        AppendAsLeader(LogEntry.NoOp(_log.LastIndex + 1, CurrentTerm));
    }

    private void ResetUncommitted()
    {
        _uncommittedEntries = 0;
        _uncommittedBytes = 0;
    }

    private void ResetTimers()
    {
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _restartLease = false;
        _randomizedElectionTimeout = _config.ElectionTick + _random.Next(0, _config.ElectionTick);
    }

    /// <summary>The index of the latest uncommitted change in the log if it removes this replica, else 0.</summary>
    private long PendingSelfRemoval()
    {
        for (var i = _log.LastIndex; i > CommitIndex && i >= _log.FirstIndex; i--)
        {
            var e = _log.At(i);
            if (e.Type == LogEntryType.ConfigChange) return GroupConfiguration.Decode(e.Data).IsVoter(Id) ? 0 : i;
        }
        return 0;
    }

    /// <summary>Starts tracking a follower or learner at the end of the log (leader only).</summary>
    private void Track(string peer)
    {
        _progress[peer] = new Progress(_log.LastIndex + 1, _config.MaxInflightMessages)
        {
            RecentActive = true,
            IsLearner = !_configuration.IsVoter(peer),
        };
    }

    /// <summary>Counts the voters' votes; returns true when the election is decided.</summary>
    private bool TryFinishElection()
    {
        var granted = _votes.Count(v => v.Value && _configuration.IsVoter(v.Key));
        var rejected = _votes.Count(v => !v.Value && _configuration.IsVoter(v.Key));
        if (granted >= Quorum)
        {
            if (Role == RaftRole.PreCandidate) BecomeCandidate(force: false);
            else BecomeLeader();
            return true;
        }
        if (rejected >= Quorum)
        {
            BecomeFollower(CurrentTerm, null);
            return true;
        }
        return false;
    }

    // ---- message handling ----

    private void HandleVoteRequest(RaftMessage m)
    {
        var preVote = m.Type == MessageType.RequestPreVote;
        var responseType = preVote ? MessageType.RequestPreVoteResponse : MessageType.RequestVoteResponse;
        // At most one vote per term; a pre-vote for a future term promises nothing.
        var canVote = VotedFor == m.From
            || (VotedFor is null && LeaderId is null)
            || (preVote && m.Term > CurrentTerm);
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            Send(new RaftMessage { Type = responseType, From = Id, To = m.From, Term = m.Term });
            if (!preVote)
            {
                _electionElapsed = 0;
                _restartLease = false;
                VotedFor = m.From;
            }
        }
        else
        {
            Send(new RaftMessage { Type = responseType, From = Id, To = m.From, Term = CurrentTerm, Reject = true });
        }
    }

    private void StepFollower(RaftMessage m)
    {
        if (m.Type == MessageType.TimeoutNow)
        {
            // etcd's campaignTransfer: no pre-vote, and voters grant despite their leader lease (Force).
            if (IsPromotable) BecomeCandidate(force: true);
            return;
        }
        if (m.Type is MessageType.AppendEntries or MessageType.InstallSnapshot or MessageType.Quiesce)
        {
            _electionElapsed = 0;
            LeaderId = m.From;
            if (m.Type == MessageType.AppendEntries) HandleAppendEntries(m);
            else if (m.Type == MessageType.InstallSnapshot) HandleInstallSnapshot(m);
            else HandleQuiesce(m);
        }
    }

    private void StepCandidate(RaftMessage m)
    {
        switch (m.Type)
        {
            case MessageType.AppendEntries:
            case MessageType.InstallSnapshot:
            case MessageType.Quiesce:
                // Another replica won this term.
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                break;
            case MessageType.RequestPreVoteResponse when Role == RaftRole.PreCandidate:
            case MessageType.RequestVoteResponse when Role == RaftRole.Candidate:
                _votes.TryAdd(m.From, !m.Reject);
                TryFinishElection();
                break;
        }
    }

    private void StepLeader(RaftMessage m)
    {
        if (m.Type is not (MessageType.AppendEntriesResponse or MessageType.InstallSnapshotResponse)) return;
        if (!_progress.TryGetValue(m.From, out var pr)) return;
        pr.RecentActive = true;
        if (m.Type == MessageType.AppendEntriesResponse && !pr.IsLearner) OnRoundAcked(pr, m.Round);

        if (m.Type == MessageType.InstallSnapshotResponse)
        {
            if (m.Done)
            {
                // The follower holds everything up to the snapshot; go back to appending after it.
                pr.MaybeUpdate(m.Index);
                if (pr.State == ProgressState.Snapshot && pr.MatchIndex >= pr.PendingSnapshotIndex) pr.BecomeProbe();
                if (MaybeCommit()) _broadcastPending = true;
                if (Role != RaftRole.Leader) return; // it committed its own removal
                SendAppend(m.From, pr);
                MaybeSendTimeoutNow(m.From, pr);
            }
            else if (pr is { State: ProgressState.Snapshot, PendingSnapshot: { } pending } && m.Index == pending.Index
                && m.Checksum == pending.Checksum && m.Offset <= pending.Data.Length)
            {
                if (m.Offset > pr.SnapshotOffset && !m.Reject)
                {
                    pr.SnapshotOffset = m.Offset;
                    pr.SnapshotRewoundTo = -1;
                    pr.SnapshotIdleHeartbeats = 0;
                    SendSnapshotChunks(m.From, pr, resend: false);
                }
                else if (m.Reject && m.Offset != pr.SnapshotRewoundTo)
                {
                    // The follower misses the chunk at m.Offset: send it, once per offset until it makes progress, so
                    // the echoes of one gap do not multiply. Below what it had acked, it lost its stream (a restart, or
                    // a snapshot that failed its checksum): start over from there.
                    var lost = m.Offset < pr.SnapshotOffset;
                    pr.SnapshotOffset = m.Offset;
                    pr.SnapshotRewoundTo = m.Offset;
                    pr.SnapshotIdleHeartbeats = 0;
                    if (!lost) pr.SnapshotSentOffset = Math.Max(pr.SnapshotSentOffset, SendSnapshotChunk(m.From, pending, m.Offset));
                    SendSnapshotChunks(m.From, pr, resend: lost);
                }
                // Any other ack of no new bytes is a duplicate or stale: answering it would start a second stream of
                // chunks, and with duplication outrunning loss the streams multiply without bound. A stall is re-sent on heartbeat.
            }
            return;
        }

        if (m.Reject)
        {
            var hint = NextIndexHint(m);
            if (pr.MaybeDecreaseTo(m.Index, hint)) SendAppend(m.From, pr);
            return;
        }

        if (pr.MaybeUpdate(m.Index))
        {
            if (pr.State == ProgressState.Snapshot && pr.MatchIndex >= pr.PendingSnapshotIndex) pr.BecomeProbe();
            if (pr.State == ProgressState.Probe) pr.BecomeReplicate();
            // Followers learn the new commitIndex with the next Ready, one message for many commits.
            if (MaybeCommit()) _broadcastPending = true;
            if (Role != RaftRole.Leader) return; // it committed its own removal
        }
        // Catch up in batches, up to the in-flight window.
        while (pr.NextIndex <= _log.LastIndex && SendAppend(m.From, pr))
        {
        }
        MaybeSendTimeoutNow(m.From, pr);
    }

    /// <summary>The transfer target has caught up: tell it to campaign.</summary>
    private void MaybeSendTimeoutNow(string from, Progress pr)
    {
        if (from == _leadTransferee && pr.MatchIndex == _log.LastIndex) SendTimeoutNow(from);
    }

    private void SendTimeoutNow(string to)
    {
        _timeoutNowSent = true;
        Send(new RaftMessage { Type = MessageType.TimeoutNow, From = Id, To = to, Term = CurrentTerm });
    }

    /// <summary>Fast back-off (Raft §5.3): skip the follower's whole conflicting term rather than one entry at a time.</summary>
    private long NextIndexHint(RaftMessage m)
    {
        if (m.ConflictIndex <= 0) return m.Index; // an old-style reject: step back by one
        if (m.ConflictTerm > 0)
        {
            var last = _log.LastIndexOfTerm(m.ConflictTerm, m.Index);
            if (last > 0) return last + 1;
        }
        return m.ConflictIndex;
    }

    private void HandleAppendEntries(RaftMessage m)
    {
        if (m.Index < CommitIndex)
        {
            // Everything up to commitIndex already matches the leader's log.
            Send(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm, Index = CommitIndex, Round = m.Round });
            return;
        }

        if (!_log.MatchTerm(m.Index, m.LogTerm))
        {
            long conflictIndex, conflictTerm;
            if (m.Index > _log.LastIndex)
            {
                conflictIndex = _log.LastIndex + 1;
                conflictTerm = 0;
            }
            else
            {
                conflictTerm = _log.TermAt(m.Index)!.Value;
                conflictIndex = _log.FirstIndexOfTermAt(m.Index);
            }
            Send(new RaftMessage
            {
                Type = MessageType.AppendEntriesResponse,
                From = Id,
                To = m.From,
                Term = CurrentTerm,
                Index = m.Index,
                Reject = true,
                ConflictIndex = conflictIndex,
                ConflictTerm = conflictTerm,
                Round = m.Round,
            });
            return;
        }

        // Append what is new; truncate only at a real conflict, so a reordered old message never shortens the log.
        foreach (var e in m.Entries)
        {
            var existing = _log.TermAt(e.Index);
            if (existing == e.Term) continue;
            if (existing is not null)
            {
                if (e.Index <= CommitIndex) throw new RaftInvariantException($"{Id}: conflict at committed index {e.Index}");
                _log.TruncateFrom(e.Index);
                _unstable.Truncated(e.Index);
            }
            _log.Append(e);
        }

        var lastNewIndex = m.Index + m.Entries.Count;
        CommitTo(Math.Min(m.Commit, lastNewIndex));
        Send(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm, Index = lastNewIndex, Round = m.Round });
    }

    /// <summary>
    /// InstallSnapshot (Figure 13): gather one leader's chunks in order, verify the checksum, then replace the log with
    /// the snapshot.
    /// </summary>
    private void HandleInstallSnapshot(RaftMessage m)
    {
        RaftMessage Response(long offset, bool done = false, bool reject = false) => new()
        {
            Type = MessageType.InstallSnapshotResponse,
            From = Id,
            To = m.From,
            Term = CurrentTerm,
            Index = m.Index,
            Checksum = m.Checksum,
            Offset = offset,
            Done = done,
            Reject = reject,
        };

        if (m.Index <= CommitIndex)
        {
            // Already have everything it holds.
            _incoming = null;
            Send(Response(m.Offset + m.Data.Length, done: true));
            return;
        }
        if (_incoming is null || !_incoming.IsStreamOf(m))
        {
            // Another stream's bytes must never continue ours: a chunk of another stream starts a new one, unless it
            // is a late chunk of an older snapshot from the same leader.
            if (_incoming is not null && _incoming.From == m.From && _incoming.LeaderTerm == m.Term && m.Index < _incoming.Index) return;
            _incoming = new IncomingSnapshot(m.From, m.Term, m.Index, m.LogTerm, m.Checksum);
        }
        var incoming = _incoming;
        var have = incoming.Data.Length;
        if (m.Offset < have)
        {
            // A duplicate of a chunk we hold: ack what we have. Restarting at offset 0 or rejecting would make the
            // leader resend chunks a live stream is already sending.
            Send(Response(have));
            return;
        }
        if (m.Offset > have)
        {
            // A gap (an earlier chunk was lost or is late): keep this one for later, and say where we are.
            if (incoming.Ahead.Count < 2 * _config.MaxInflightSnapshotChunks) incoming.Ahead.TryAdd(m.Offset, (m.Data, m.Done));
            Send(Response(have, reject: true));
            return;
        }
        incoming.Data.Write(m.Data);
        var done = m.Done;
        while (!done && incoming.Ahead.Count > 0)
        {
            var (offset, chunk) = incoming.Ahead.First();
            incoming.Ahead.Remove(offset);
            if (offset < incoming.Data.Length) continue; // overlaps what we have
            if (offset > incoming.Data.Length) break;
            incoming.Data.Write(chunk.Data);
            done = chunk.Done;
        }
        if (!done)
        {
            Send(Response(incoming.Data.Length));
            return;
        }

        var snapshot = new SnapshotData(m.Index, m.LogTerm, incoming.Data.ToArray(), m.Checksum) { Configuration = m.Configuration };
        _incoming = null;
        if (!snapshot.IsIntact)
        {
            // Corrupt or spliced: nothing of it is persisted; the leader sends it again from the start.
            Send(Response(0, reject: true));
            return;
        }
        InstallSnapshot(snapshot);
        Send(Response(snapshot.Data.Length, done: true));
    }

    private void InstallSnapshot(SnapshotData snapshot)
    {
        if (_log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            // Our log already continues the snapshot: just commit up to it (as etcd does).
            CommitTo(snapshot.Index);
            return;
        }
        _log.ResetTo(snapshot.Index, snapshot.Term);
        _unstable.SnapshotInstalled(snapshot.Index);
        CommitIndex = snapshot.Index;
        Snapshot = snapshot;
        _pendingSnapshot = snapshot;
        _configuration = snapshot.Configuration ?? _config.Bootstrap;
    }

    private void CommitTo(long index)
    {
        if (index <= CommitIndex) return;
        var from = CommitIndex + 1;
        CommitIndex = index;
        ApplyConfigurations(from, index);
    }

    /// <summary>Puts in force the latest configuration change among the newly committed entries from..to.</summary>
    private void ApplyConfigurations(long from, long to)
    {
        for (var i = to; i >= from && i >= _log.FirstIndex; i--)
        {
            var e = _log.At(i);
            if (e.Type != LogEntryType.ConfigChange) continue;
            SetConfiguration(GroupConfiguration.Decode(e.Data));
            return;
        }
    }

    private void SetConfiguration(GroupConfiguration configuration)
    {
        _configuration = configuration;
        if (Role != RaftRole.Leader) return;
        foreach (var peer in _progress.Keys.Where(p => !configuration.Contains(p)).ToList())
        {
            // One last append carries the commit, so a removed replica that holds the change learns it is out.
            SendEmptyAppend(peer, CommitIndex);
            _progress.Remove(peer);
        }
        foreach (var member in configuration.All.Where(m => m.Id != Id))
        {
            if (_progress.TryGetValue(member.Id, out var pr)) pr.IsLearner = !configuration.IsVoter(member.Id);
            else Track(member.Id);
        }
        if (_leadTransferee is not null && !configuration.IsVoter(_leadTransferee)) _leadTransferee = null;
        if (!configuration.IsVoter(Id))
        {
            // Removed: tell the others the commit first (even those whose window is full), so they need no new leader
            // to learn it, then step down.
            foreach (var peer in _progress.Keys) SendEmptyAppend(peer, CommitIndex);
            BecomeFollower(CurrentTerm, null);
        }
    }

    private void AppendAsLeader(LogEntry entry)
    {
        _log.Append(entry);
        // Followers get the entry with the next Ready, so proposals made together travel together. The leader itself
        // counts toward its commit once the entry is durable, in Advance; so a group of one commits then.
        _broadcastPending = true;
    }

    /// <summary>
    /// The commit rule: the highest index on a majority of the voters, and only if it is of this leader's term (§5.4.2).
    /// Returns true when the commit index moved and this replica still leads.
    /// </summary>
    private bool MaybeCommit()
    {
        var matches = new List<long>(_configuration.Voters.Count);
        if (_configuration.IsVoter(Id)) matches.Add(_unstable.StableIndex);
        matches.AddRange(_progress.Where(p => _configuration.IsVoter(p.Key)).Select(p => p.Value.MatchIndex));
        if (matches.Count < Quorum) return false;
        matches.Sort();
        var quorumIndex = matches[matches.Count - Quorum];
        if (quorumIndex > CommitIndex && _log.TermAt(quorumIndex) == CurrentTerm)
        {
            ReleaseUncommitted(CommitIndex + 1, quorumIndex);
            CommitTo(quorumIndex);
            return Role == RaftRole.Leader; // false once it committed its own removal
        }
        return false;
    }

    /// <summary>Frees the backlog that entries from..to held: only this term's commands were counted.</summary>
    private void ReleaseUncommitted(long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            var e = _log.At(i);
            if (e.Term != CurrentTerm || e.Type != LogEntryType.Command) continue;
            _uncommittedEntries = Math.Max(0, _uncommittedEntries - 1);
            _uncommittedBytes = Math.Max(0, _uncommittedBytes - e.Data.Length);
        }
    }

    private bool QuorumActive()
    {
        var active = (_configuration.IsVoter(Id) ? 1 : 0) + _progress.Count(p => p.Value.RecentActive && _configuration.IsVoter(p.Key));
        foreach (var p in _progress.Values) p.RecentActive = false;
        return active >= Quorum;
    }

    private void BroadcastAppend()
    {
        foreach (var (peer, pr) in _progress) SendAppend(peer, pr, sendIfEmpty: true);
    }

    private void BroadcastHeartbeat()
    {
        foreach (var (peer, pr) in _progress)
        {
            if (pr.State == ProgressState.Snapshot)
            {
                // Re-send only once the transfer has stalled: each re-send starts another stream of chunks alongside
                // the one still in flight. Meanwhile an empty append at our snapshot keeps the follower's election
                // timer quiet; its reply is harmless (or proves a match).
                if (++pr.SnapshotIdleHeartbeats >= Math.Max(1, _config.ElectionTick / (2 * _config.HeartbeatTick)))
                {
                    pr.SnapshotIdleHeartbeats = 0;
                    pr.SnapshotRewoundTo = -1;
                    SendSnapshotChunks(peer, pr, resend: true);
                }
                else
                {
                    SendEmptyAppend(peer, _log.SnapshotIndex);
                }
            }
            else if (pr.State == ProgressState.Probe || pr.NextIndex > _log.LastIndex)
            {
                // Re-sends a lost probe, and carries commitIndex to followers that are up to date.
                pr.OnHeartbeatSent();
                SendAppendFrom(peer, pr, force: true);
            }
            else if (!pr.IsPaused)
            {
                SendAppend(peer, pr, sendIfEmpty: true);
            }
            else if (!CanAppendAfter(pr.NextIndex - 1))
            {
                SendAppendFrom(peer, pr, force: true); // falls back to the snapshot
            }
            else
            {
                // In-flight window full: an empty probe at nextIndex either frees the window or reveals a gap.
                SendEmptyAppend(peer, pr.NextIndex - 1);
            }
        }
    }

    private bool SendAppend(string to, Progress pr, bool sendIfEmpty = false)
    {
        if (pr.IsPaused)
        {
            return false;
        }
        return SendAppendFrom(to, pr, sendIfEmpty);
    }

    private bool SendAppendFrom(string to, Progress pr, bool force)
    {
        var prevIndex = pr.NextIndex - 1;
        if (!CanAppendAfter(prevIndex))
        {
            // The entries it needs are compacted: send the snapshot instead.
            if (Snapshot is null) throw new RaftInvariantException($"{Id}: log compacted to {_log.SnapshotIndex} without a snapshot");
            pr.BecomeSnapshot(Snapshot);
            SendSnapshotChunks(to, pr, resend: true);
            return true;
        }
        var prevTerm = _log.TermAt(prevIndex) ?? throw new RaftInvariantException($"{Id}: no term for prevLogIndex {prevIndex}");
        var entries = _log.Slice(pr.NextIndex, _log.LastIndex, _config.MaxEntriesPerMessage, _config.MaxBytesPerMessage);
        if (entries.Count == 0 && !force) return false;
        Send(new RaftMessage
        {
            Type = MessageType.AppendEntries,
            From = Id,
            To = to,
            Term = CurrentTerm,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = CommitIndex,
            Round = _round,
        });
        if (entries.Count > 0) pr.OnSent(entries[^1].Index);
        return true;
    }

    /// <summary>True when the log holds the term at prevIndex and every entry after it (they may lie in the trailing window).</summary>
    private bool CanAppendAfter(long prevIndex) => prevIndex >= _log.FirstIndex - 1 && _log.TermAt(prevIndex) is not null;

    /// <summary>
    /// Sends chunks of the pinned snapshot up to the window past what the follower acknowledged; with resend, from what
    /// it acknowledged and at least one.
    /// </summary>
    private void SendSnapshotChunks(string to, Progress pr, bool resend)
    {
        var snapshot = pr.PendingSnapshot!;
        var window = (long)_config.MaxInflightSnapshotChunks * _config.SnapshotChunkBytes;
        if (resend || pr.SnapshotSentOffset < pr.SnapshotOffset) pr.SnapshotSentOffset = pr.SnapshotOffset;
        var mustSend = resend;
        while (mustSend || (pr.SnapshotSentOffset < snapshot.Data.Length && pr.SnapshotSentOffset - pr.SnapshotOffset < window))
        {
            mustSend = false;
            pr.SnapshotSentOffset = SendSnapshotChunk(to, snapshot, pr.SnapshotSentOffset);
        }
    }

    /// <summary>Sends the chunk at offset; returns where the next one starts.</summary>
    private long SendSnapshotChunk(string to, SnapshotData snapshot, long offset)
    {
        var start = (int)Math.Min(offset, snapshot.Data.Length);
        var length = Math.Min(_config.SnapshotChunkBytes, snapshot.Data.Length - start);
        Send(new RaftMessage
        {
            Type = MessageType.InstallSnapshot,
            From = Id,
            To = to,
            Term = CurrentTerm,
            Index = snapshot.Index,
            LogTerm = snapshot.Term,
            Offset = start,
            Data = snapshot.Data.AsSpan(start, length).ToArray(),
            Done = start + length >= snapshot.Data.Length,
            Checksum = snapshot.Checksum,
            Commit = CommitIndex,
            Configuration = snapshot.Configuration,
        });
        return start + length;
    }

    private void SendEmptyAppend(string to, long prevIndex)
    {
        var prevTerm = _log.TermAt(prevIndex) ?? throw new RaftInvariantException($"{Id}: no term for prevLogIndex {prevIndex}");
        Send(new RaftMessage { Type = MessageType.AppendEntries, From = Id, To = to, Term = CurrentTerm, Index = prevIndex, LogTerm = prevTerm, Commit = CommitIndex, Round = _round });
    }

    private void Send(RaftMessage m) => _outbox.Add(m);
}
