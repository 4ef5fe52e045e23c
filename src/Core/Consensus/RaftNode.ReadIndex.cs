namespace Orleans.Raft.Consensus;

// Reads that skip the log (Raft thesis §6.4, after etcd-io/raft's read_only.go). The leader notes its commit index when
// a read arrives, then proves it still leads: a quorum of voters must acknowledge a heartbeat round begun after the read.
// No other leader can then have committed anything the read must see, so once this replica has applied up to the noted
// index its state is as new as every write acknowledged before the read began.
//
// Rounds instead of etcd's per-read contexts: every AppendEntries carries the newest round, every reply echoes it, and a
// follower's echo of round r acknowledges every round up to r. Reads taken between two Readies share one round, so one
// heartbeat serves them all, and a reply to an ordinary append confirms them as well as a heartbeat's.
public sealed partial class RaftNode
{
    /// <summary>A read waiting for its round; From is the follower that forwarded it, null for a read taken here.</summary>
    private sealed record PendingRead(long Round, long Index, string? From, byte[] Context);

    // Leader only, oldest first; each waits for a quorum to echo its round.
    private readonly List<PendingRead> _pendingReads = [];

    // Released and dropped reads for the next Ready.
    private readonly List<ReadState> _readStates = [];
    private readonly List<byte[]> _droppedReads = [];

    // The newest heartbeat round begun; never reset, so a reply can only echo a round this replica began.
    private long _round;

    // Reads wait for round _round + 1, to begin with the next Ready (or heartbeat).
    private bool _readRoundPending;

    // Lease reads only: this leader's ticks in its term, and the tick at which each round since the quorum's began.
    private long _leaderTicks;
    private readonly List<(long Round, long Tick)> _roundStarts = [];

    // Lease reads only: acknowledgements of earlier rounds hold no lease (rounds before this leadership, or before a wake:
    // a quiesced leader's ticks stand still while time passes).
    private long _leaseFloorRound;

    // Lease reads only: this leader sent TimeoutNow, whose forced election ignores leases, even if it arrives late.
    private bool _timeoutNowSent;

    // Lease reads only: a restarted voter does not know when it last heard from a leader, so it grants no vote for an
    // election timeout, as if it had just heard from one.
    private bool _restartLease;

    /// <summary>
    /// Starts a linearizable read that does not go through the log (Raft thesis §6.4, etcd's ReadIndex). A leader notes
    /// its commit index and confirms with one heartbeat round that it still leads; a follower forwards the read to its
    /// leader. The read comes out in a later <see cref="Ready.ReadStates"/> with the same context: answer it once the state
    /// machine has applied up to its index. It comes out in <see cref="Ready.DroppedReads"/> instead if the leader steps
    /// down first or refuses a forwarded read. A leader handing leadership over still serves reads (the thesis allows it:
    /// it leads until the target wins, and a read confirmed by a quorum of its term is safe).
    /// </summary>
    /// <param name="context">Identifies the read to the shell; returned unchanged.</param>
    /// <returns>
    /// Accepted (at a leader, Index = the read index) or forwarded; refused with <see cref="ProposeRefusal.NotLeader"/>
    /// when no leader is known, or <see cref="ProposeRefusal.NotCommittedInTerm"/> at a leader that has not committed an
    /// entry of its term: until then its commit index may be behind writes its predecessors acknowledged.
    /// </returns>
    public ProposeResult ReadIndex(byte[] context)
    {
        Wake();
        if (Role != RaftRole.Leader)
        {
            if (LeaderId is null) return ProposeResult.NotLeader(null);
            Send(new RaftMessage { Type = MessageType.ReadIndex, From = Id, To = LeaderId, Term = CurrentTerm, Data = context });
            return new ProposeResult(true, 0, CurrentTerm, LeaderId);
        }
        if (!CommittedInTerm)
            return ProposeResult.Refused(Id, ProposeRefusal.NotCommittedInTerm, $"the leader has not committed an entry of its term {CurrentTerm} yet");
        AcceptRead(null, context);
        return new ProposeResult(true, CommitIndex, CurrentTerm, Id);
    }

    /// <summary>Reads waiting for a quorum to confirm this leader (0 unless leader).</summary>
    public int PendingReads => _pendingReads.Count;

    private bool CommittedInTerm => _log.TermAt(CommitIndex) == CurrentTerm;

    /// <summary>A forwarded read (at the leader) or the answer to one (at the follower); neither changes a term.</summary>
    private void StepRead(RaftMessage m)
    {
        if (m.Type == MessageType.ReadIndexResponse)
        {
            if (m.Reject) _droppedReads.Add(m.Data);
            else _readStates.Add(new ReadState(m.Index, m.Data));
            return;
        }
        if (Role != RaftRole.Leader || !CommittedInTerm)
        {
            Send(new RaftMessage { Type = MessageType.ReadIndexResponse, From = Id, To = m.From, Term = CurrentTerm, Data = m.Data, Reject = true });
            return;
        }
        AcceptRead(m.From, m.Data);
    }

    private void AcceptRead(string? from, byte[] context)
    {
        var read = new PendingRead(_round + 1, CommitIndex, from, context);
        if (HasLease())
        {
            Release(read);
            return;
        }
        _pendingReads.Add(read);
        _readRoundPending = true;
        ReleaseConfirmedReads(); // a lone voter confirms at once
    }

    /// <summary>Begins a heartbeat round: messages sent from now on carry it.</summary>
    private void BeginRound()
    {
        _round++;
        _readRoundPending = false;
        if (_config.ReadOnlyLeaseBased) _roundStarts.Add((_round, _leaderTicks));
    }

    /// <summary>
    /// A round for pending reads: an empty append to every voter at an index it holds, so none is rejected for a gap
    /// (a reject of our term would echo the round too).
    /// </summary>
    private void BroadcastReadHeartbeat()
    {
        foreach (var (peer, pr) in _progress)
        {
            if (pr.IsLearner) continue;
            SendEmptyAppend(peer, Math.Max(pr.MatchIndex, _log.SnapshotIndex));
        }
    }

    /// <summary>A voter of this leader's term echoed a round.</summary>
    private void OnRoundAcked(Progress pr, long round)
    {
        if (round <= pr.RoundAcked) return;
        pr.RoundAcked = round;
        ReleaseConfirmedReads();
        // Rounds below the quorum's are never again the quorum's lease start (until a change of voters, which only
        // makes the lease lookup miss, so the leader falls back to a round).
        var confirmed = ConfirmedRound();
        var stale = _roundStarts.FindIndex(s => s.Round >= confirmed);
        _roundStarts.RemoveRange(0, stale < 0 ? _roundStarts.Count : stale);
    }

    /// <summary>The newest round a quorum of the voters in force acknowledged (this leader acknowledges every round).</summary>
    private long ConfirmedRound()
    {
        var acks = _configuration.Voters
            .Select(v => v.Id == Id ? long.MaxValue : _progress.TryGetValue(v.Id, out var pr) ? pr.RoundAcked : 0)
            .OrderDescending()
            .ToList();
        return acks[Quorum - 1];
    }

    private void ReleaseConfirmedReads()
    {
        if (_pendingReads.Count == 0) return;
        var confirmed = ConfirmedRound();
        var released = _pendingReads.TakeWhile(r => r.Round <= confirmed).ToList();
        _pendingReads.RemoveRange(0, released.Count);
        foreach (var r in released) Release(r);
        if (_pendingReads.Count == 0) _readRoundPending = false;
    }

    private void Release(PendingRead r)
    {
        if (r.From is null) _readStates.Add(new ReadState(r.Index, r.Context));
        else Send(new RaftMessage { Type = MessageType.ReadIndexResponse, From = Id, To = r.From, Term = CurrentTerm, Index = r.Index, Data = r.Context });
    }

    /// <summary>A leader stepping down fails its pending reads: no quorum will confirm them at its term.</summary>
    private void DropPendingReads()
    {
        foreach (var r in _pendingReads)
        {
            if (r.From is null) _droppedReads.Add(r.Context);
            else Send(new RaftMessage { Type = MessageType.ReadIndexResponse, From = Id, To = r.From, Term = CurrentTerm, Data = r.Context, Reject = true });
        }
        _pendingReads.Clear();
        _readRoundPending = false;
    }

    /// <summary>
    /// True when lease reads are on and a quorum of voters acknowledged a round begun fewer than ElectionTick − 2 of
    /// this leader's ticks ago (see <see cref="RaftConfig.ReadOnlyLeaseBased"/>).
    /// </summary>
    private bool HasLease()
    {
        if (!_config.ReadOnlyLeaseBased || _leadTransferee is not null || _timeoutNowSent) return false;
        var starts = _configuration.Voters
            .Select(v => v.Id == Id ? _leaderTicks : _progress.TryGetValue(v.Id, out var pr) ? RoundStart(pr.RoundAcked) : long.MinValue)
            .OrderDescending()
            .ToList();
        var start = starts[Quorum - 1];
        return start != long.MinValue && _leaderTicks - start < _config.ElectionTick - 2;
    }

    /// <summary>The tick at which a round began, or MinValue when it holds no lease or is no longer known.</summary>
    private long RoundStart(long round)
    {
        if (round < _leaseFloorRound) return long.MinValue;
        var i = _roundStarts.BinarySearch((round, 0), Comparer<(long Round, long Tick)>.Create((a, b) => a.Round.CompareTo(b.Round)));
        return i >= 0 ? _roundStarts[i].Tick : long.MinValue;
    }

    /// <summary>A new leadership starts with no round acknowledged and no lease.</summary>
    private void ResetReadsForLeadership()
    {
        _leaderTicks = 0;
        _roundStarts.Clear();
        _leaseFloorRound = _round + 1;
        _timeoutNowSent = false;
    }
}
