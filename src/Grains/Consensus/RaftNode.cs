namespace Orleans.Raft.Consensus;

/// <summary>The outcome of a proposal at this replica.</summary>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, string? LeaderHint)
{
    public static ProposeResult NotLeader(string? leaderHint) => new(false, 0, 0, leaderHint);
}

/// <summary>
/// The Raft consensus algorithm (Figure 2 of the Raft paper, with etcd's pre-vote and check-quorum) as a deterministic
/// state machine: no clock, no I/O, no threads. Ticks and messages go in; a <see cref="Ready"/> comes out with state to
/// persist, messages to send and committed entries to apply. Modelled on etcd-io/raft's raft.go and rawnode.go.
/// </summary>
public sealed class RaftNode
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

    // Persistence bookkeeping: log[1..stableIndex] is known to be in stable storage.
    private long _stableIndex;
    private HardState _stableHardState;
    private bool _readyInFlight;
    private long _lowestTruncationSinceReady = long.MaxValue;

    public RaftNode(RaftConfig config, HardState hardState, RaftLog log, IRaftRandom random)
    {
        config.Validate();
        _config = config;
        _random = random;
        Log = log;
        CurrentTerm = hardState.CurrentTerm;
        VotedFor = hardState.VotedFor;
        if (hardState.CommitIndex > log.LastIndex)
            throw new RaftInvariantException($"stored commitIndex {hardState.CommitIndex} is past the last log index {log.LastIndex}");
        CommitIndex = Math.Max(hardState.CommitIndex, log.SnapshotIndex);
        LastApplied = log.SnapshotIndex;
        _stableIndex = log.LastIndex;
        _stableHardState = hardState;
        BecomeFollower(CurrentTerm, null);
    }

    public string Id => _config.Id;
    public IReadOnlyList<string> Members => _config.Members;
    public RaftRole Role { get; private set; }
    public long CurrentTerm { get; private set; }
    public string? VotedFor { get; private set; }
    public string? LeaderId { get; private set; }
    public long CommitIndex { get; private set; }
    public long LastApplied { get; private set; }
    public RaftLog Log { get; }
    public HardState HardState => new(CurrentTerm, VotedFor, CommitIndex);
    public int Quorum => _config.Members.Count / 2 + 1;

    /// <summary>The leader's view of each follower (empty unless leader).</summary>
    public IReadOnlyDictionary<string, Progress> Progress => _progress;

    private IEnumerable<string> Peers => _config.Members.Where(m => m != Id);

    // ---- inputs ----

    /// <summary>Advances logical time by one tick.</summary>
    public void Tick()
    {
        if (Role == RaftRole.Leader)
        {
            _heartbeatElapsed++;
            _electionElapsed++;
            if (_electionElapsed >= _config.ElectionTick)
            {
                _electionElapsed = 0;
                if (_config.CheckQuorum && !QuorumActive())
                {
                    BecomeFollower(CurrentTerm, null);
                    return;
                }
            }
            if (_heartbeatElapsed >= _config.HeartbeatTick)
            {
                _heartbeatElapsed = 0;
                BroadcastHeartbeat();
            }
            return;
        }

        _electionElapsed++;
        if (_electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Campaign(force: false);
        }
    }

    /// <summary>
    /// Starts an election now (the paper's debug-startElection). A forced election skips pre-vote and asks voters to
    /// ignore their leader lease; a leader ignores it.
    /// </summary>
    public void Campaign(bool force)
    {
        if (Role == RaftRole.Leader) return;
        if (_config.PreVote && !force) BecomePreCandidate();
        else BecomeCandidate(force);
    }

    /// <summary>Appends a command to the log if this replica leads.</summary>
    public ProposeResult Propose(byte[] data)
    {
        if (Role != RaftRole.Leader) return ProposeResult.NotLeader(LeaderId);
        var entry = new LogEntry(Log.LastIndex + 1, CurrentTerm, LogEntryType.Command, data);
        AppendAsLeader(entry);
        return new ProposeResult(true, entry.Index, entry.Term, Id);
    }

    /// <summary>Handles one message from a peer.</summary>
    public void Step(RaftMessage m)
    {
        if (m.To != Id) throw new ArgumentException($"message for {m.To} stepped into {Id}");
        if (!_config.Members.Contains(m.From)) return; // not a member of this group: drop

        if (m.Term > CurrentTerm)
        {
            if (m.Type is MessageType.RequestVote or MessageType.RequestPreVote)
            {
                // Leader lease: while we hear from a leader, a vote request is a disruption, not a failure (Raft thesis §4.2.3).
                var inLease = _config.CheckQuorum && LeaderId is not null && _electionElapsed < _config.ElectionTick;
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
                BecomeFollower(m.Term, m.Type == MessageType.AppendEntries ? m.From : null);
            }
        }
        else if (m.Term < CurrentTerm)
        {
            if (m.Type == MessageType.AppendEntries && (_config.CheckQuorum || _config.PreVote))
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
        !_readyInFlight && (_broadcastPending || _outbox.Count > 0 || HardState != _stableHardState || Log.LastIndex > _stableIndex || CommitIndex > LastApplied);

    /// <summary>Takes what the shell must do next. Call <see cref="Advance"/> once it is done, before the next Ready.</summary>
    public Ready GetReady()
    {
        if (_readyInFlight) throw new InvalidOperationException("the previous Ready has not been advanced");
        if (_broadcastPending)
        {
            _broadcastPending = false;
            BroadcastAppend();
        }

        var hs = HardState;
        var entries = Log.Slice(_stableIndex + 1, Log.LastIndex);
        var committed = Log.Slice(LastApplied + 1, Math.Min(CommitIndex, Log.LastIndex), _config.MaxCommittedEntriesPerReady);
        var rd = new Ready
        {
            HardState = hs != _stableHardState ? hs : null,
            Entries = entries,
            Messages = [.. _outbox],
            CommittedEntries = committed,
            LastEntryIndex = Log.LastIndex,
        };
        _outbox.Clear();
        _readyInFlight = true;
        _lowestTruncationSinceReady = long.MaxValue;
        return rd;
    }

    /// <summary>Acknowledges that a Ready's state is durable, its messages sent and its committed entries applied.</summary>
    public void Advance(Ready rd)
    {
        if (!_readyInFlight) throw new InvalidOperationException("no Ready in flight");
        _readyInFlight = false;
        if (rd.HardState is { } hs) _stableHardState = hs;
        // Entries replaced while the Ready was being persisted are not the ones that reached storage.
        _stableIndex = Math.Min(rd.LastEntryIndex, _lowestTruncationSinceReady - 1);
        if (rd.CommittedEntries.Count > 0) LastApplied = rd.CommittedEntries[^1].Index;
    }

    // ---- roles ----

    private void BecomeFollower(long term, string? leader)
    {
        if (term != CurrentTerm)
        {
            CurrentTerm = term;
            VotedFor = null;
        }
        Role = RaftRole.Follower;
        LeaderId = leader;
        ResetTimers();
        _progress.Clear();
        _broadcastPending = false;
    }

    private void BecomePreCandidate()
    {
        Role = RaftRole.PreCandidate;
        LeaderId = null;
        _votes.Clear();
        ResetTimers();
        _votes[Id] = true;
        if (TryFinishElection()) return;
        foreach (var peer in Peers)
        {
            Send(new RaftMessage { Type = MessageType.RequestPreVote, From = Id, To = peer, Term = CurrentTerm + 1, Index = Log.LastIndex, LogTerm = Log.LastTerm });
        }
    }

    private void BecomeCandidate(bool force)
    {
        CurrentTerm++;
        VotedFor = Id;
        Role = RaftRole.Candidate;
        LeaderId = null;
        _votes.Clear();
        ResetTimers();
        _votes[Id] = true;
        if (TryFinishElection()) return;
        foreach (var peer in Peers)
        {
            Send(new RaftMessage { Type = MessageType.RequestVote, From = Id, To = peer, Term = CurrentTerm, Index = Log.LastIndex, LogTerm = Log.LastTerm, Force = force });
        }
    }

    private void BecomeLeader()
    {
        Role = RaftRole.Leader;
        LeaderId = Id;
        ResetTimers();
        _progress.Clear();
        foreach (var peer in Peers)
        {
            _progress[peer] = new Progress(Log.LastIndex + 1, _config.MaxInflightMessages) { RecentActive = true };
        }
        // A leader may only count replicas for entries of its own term (§5.4.2): a no-op commits everything before it.
        AppendAsLeader(LogEntry.NoOp(Log.LastIndex + 1, CurrentTerm));
    }

    private void ResetTimers()
    {
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _config.ElectionTick + _random.Next(0, _config.ElectionTick);
    }

    /// <summary>Counts votes; returns true when the election is decided.</summary>
    private bool TryFinishElection()
    {
        var granted = _votes.Count(v => v.Value);
        var rejected = _votes.Count(v => !v.Value);
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
        if (canVote && Log.IsUpToDate(m.Index, m.LogTerm))
        {
            Send(new RaftMessage { Type = responseType, From = Id, To = m.From, Term = m.Term });
            if (!preVote)
            {
                _electionElapsed = 0;
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
        if (m.Type == MessageType.AppendEntries)
        {
            _electionElapsed = 0;
            LeaderId = m.From;
            HandleAppendEntries(m);
        }
    }

    private void StepCandidate(RaftMessage m)
    {
        switch (m.Type)
        {
            case MessageType.AppendEntries:
                // Another replica won this term.
                BecomeFollower(m.Term, m.From);
                HandleAppendEntries(m);
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
        if (m.Type != MessageType.AppendEntriesResponse) return;
        if (!_progress.TryGetValue(m.From, out var pr)) return;
        pr.RecentActive = true;

        if (m.Reject)
        {
            var hint = NextIndexHint(m);
            if (pr.MaybeDecreaseTo(m.Index, hint)) SendAppend(m.From, pr);
            return;
        }

        if (pr.MaybeUpdate(m.Index))
        {
            if (pr.State == ProgressState.Probe) pr.BecomeReplicate();
            // Followers learn the new commitIndex with the next Ready, one message for many commits.
            if (MaybeCommit()) _broadcastPending = true;
        }
        // Catch up in batches, up to the in-flight window.
        while (pr.NextIndex <= Log.LastIndex && SendAppend(m.From, pr))
        {
        }
    }

    /// <summary>Fast back-off (Raft §5.3): skip the follower's whole conflicting term rather than one entry at a time.</summary>
    private long NextIndexHint(RaftMessage m)
    {
        if (m.ConflictIndex <= 0) return m.Index; // an old-style reject: step back by one
        if (m.ConflictTerm > 0)
        {
            var last = Log.LastIndexOfTerm(m.ConflictTerm, m.Index);
            if (last > 0) return last + 1;
        }
        return m.ConflictIndex;
    }

    private void HandleAppendEntries(RaftMessage m)
    {
        if (m.Index < CommitIndex)
        {
            // Everything up to commitIndex already matches the leader's log.
            Send(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm, Index = CommitIndex });
            return;
        }

        if (!Log.MatchTerm(m.Index, m.LogTerm))
        {
            long conflictIndex, conflictTerm;
            if (m.Index > Log.LastIndex)
            {
                conflictIndex = Log.LastIndex + 1;
                conflictTerm = 0;
            }
            else
            {
                conflictTerm = Log.TermAt(m.Index)!.Value;
                conflictIndex = Log.FirstIndexOfTermAt(m.Index);
            }
            Send(new RaftMessage
            {
                Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm,
                Index = m.Index, Reject = true, ConflictIndex = conflictIndex, ConflictTerm = conflictTerm,
            });
            return;
        }

        // Append what is new; truncate only at a real conflict, so a reordered old message never shortens the log.
        foreach (var e in m.Entries)
        {
            var existing = Log.TermAt(e.Index);
            if (existing == e.Term) continue;
            if (existing is not null)
            {
                if (e.Index <= CommitIndex) throw new RaftInvariantException($"{Id}: conflict at committed index {e.Index}");
                Log.TruncateFrom(e.Index);
                NoteTruncation(e.Index);
            }
            Log.Append(e);
        }

        var lastNewIndex = m.Index + m.Entries.Count;
        CommitTo(Math.Min(m.Commit, lastNewIndex));
        Send(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = Id, To = m.From, Term = CurrentTerm, Index = lastNewIndex });
    }

    private void NoteTruncation(long index)
    {
        if (index <= _stableIndex) _stableIndex = index - 1;
        _lowestTruncationSinceReady = Math.Min(_lowestTruncationSinceReady, index);
    }

    private void CommitTo(long index)
    {
        if (index > CommitIndex) CommitIndex = index;
    }

    private void AppendAsLeader(LogEntry entry)
    {
        Log.Append(entry);
        // Followers get the entry with the next Ready, so proposals made together travel together.
        _broadcastPending = true;
        MaybeCommit(); // a group of one commits at once
    }

    /// <summary>The commit rule: the highest index on a majority, and only if it is of this leader's term (§5.4.2).</summary>
    private bool MaybeCommit()
    {
        var matches = new List<long>(_config.Members.Count) { Log.LastIndex };
        matches.AddRange(_progress.Values.Select(p => p.MatchIndex));
        matches.Sort();
        var quorumIndex = matches[matches.Count - Quorum];
        if (quorumIndex > CommitIndex && Log.TermAt(quorumIndex) == CurrentTerm)
        {
            CommitIndex = quorumIndex;
            return true;
        }
        return false;
    }

    private bool QuorumActive()
    {
        var active = 1 + _progress.Values.Count(p => p.RecentActive);
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
            if (pr.State == ProgressState.Probe || pr.NextIndex > Log.LastIndex)
            {
                // Re-sends a lost probe, and carries commitIndex to followers that are up to date.
                pr.OnHeartbeatSent();
                SendAppendFrom(peer, pr, force: true);
            }
            else if (!pr.IsPaused)
            {
                SendAppend(peer, pr, sendIfEmpty: true);
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
        var prevTerm = Log.TermAt(prevIndex) ?? throw new RaftInvariantException($"{Id}: no term for prevLogIndex {prevIndex} (snapshot needed)");
        var entries = Log.Slice(pr.NextIndex, Log.LastIndex, _config.MaxEntriesPerMessage, _config.MaxBytesPerMessage);
        if (entries.Count == 0 && !force) return false;
        Send(new RaftMessage
        {
            Type = MessageType.AppendEntries, From = Id, To = to, Term = CurrentTerm,
            Index = prevIndex, LogTerm = prevTerm, Entries = entries, Commit = CommitIndex,
        });
        if (entries.Count > 0) pr.OnSent(entries[^1].Index);
        return true;
    }

    private void SendEmptyAppend(string to, long prevIndex)
    {
        var prevTerm = Log.TermAt(prevIndex) ?? throw new RaftInvariantException($"{Id}: no term for prevLogIndex {prevIndex}");
        Send(new RaftMessage { Type = MessageType.AppendEntries, From = Id, To = to, Term = CurrentTerm, Index = prevIndex, LogTerm = prevTerm, Commit = CommitIndex });
    }

    private void Send(RaftMessage m) => _outbox.Add(m);
}
