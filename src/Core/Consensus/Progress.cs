namespace Orleans.Raft.Consensus;

/// <summary>The leader's view of one follower: nextIndex and matchIndex of Figure 2, plus flow control (after etcd's tracker/progress.go).</summary>
internal sealed class Progress(long nextIndex, int maxInflight)
{
    // Invariant: the last index of each AppendEntries in flight, ascending, all >= MatchIndex + 1 and < NextIndex;
    // empty unless in Replicate state.
    private readonly Queue<long> _inflight = new();

    // Invariant: MatchIndex < NextIndex; MatchIndex never decreases.
    public long NextIndex { get; private set; } = nextIndex;
    public long MatchIndex { get; private set; }
    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In Probe state: an AppendEntries is out and unanswered, so send no other until a reply or heartbeat.</summary>
    public bool ProbeSent { get; private set; }

    /// <summary>A learner: replicated to, but not counted toward commit or check-quorum.</summary>
    public bool IsLearner { get; set; }

    /// <summary>The newest heartbeat round the follower echoed (see RaftMessage.Round); never decreases.</summary>
    public long RoundAcked { get; set; }

    /// <summary>Heard from since the last quorum check.</summary>
    public bool RecentActive { get; set; }

    public int Inflight => _inflight.Count;

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Snapshot => true,
        _ => _inflight.Count >= maxInflight,
    };

    /// <summary>
    /// In Snapshot state: the snapshot being sent, pinned until its transfer ends even if the leader compacts again
    /// (restarting on every new snapshot never finishes under sustained writes).
    /// </summary>
    public SnapshotData? PendingSnapshot { get; private set; }

    public long PendingSnapshotIndex => PendingSnapshot?.Index ?? 0;

    /// <summary>In Snapshot state: how many bytes of the snapshot the follower has acknowledged.</summary>
    public long SnapshotOffset { get; set; }

    /// <summary>In Snapshot state: where the next chunk to send starts (chunks in [SnapshotOffset, this) are in flight).</summary>
    public long SnapshotSentOffset { get; set; }

    /// <summary>In Snapshot state: the offset the stream last went back to on a reject, -1 after progress (later rejects of it are echoes).</summary>
    public long SnapshotRewoundTo { get; set; } = -1;

    /// <summary>In Snapshot state: heartbeats since the follower last answered a chunk (a stalled transfer is resent).</summary>
    public int SnapshotIdleHeartbeats { get; set; }

    public void BecomeSnapshot(SnapshotData snapshot)
    {
        State = ProgressState.Snapshot;
        PendingSnapshot = snapshot;
        SnapshotOffset = 0;
        SnapshotSentOffset = 0;
        SnapshotRewoundTo = -1;
        SnapshotIdleHeartbeats = 0;
        ProbeSent = false;
        _inflight.Clear();
    }

    public void BecomeProbe()
    {
        // The follower holds at least matchIndex; restart just after it.
        State = ProgressState.Probe;
        NextIndex = MatchIndex + 1;
        PendingSnapshot = null;
        ProbeSent = false;
        _inflight.Clear();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        NextIndex = MatchIndex + 1;
        ProbeSent = false;
        _inflight.Clear();
    }

    /// <summary>Records that entries up to lastIndex went out.</summary>
    public void OnSent(long lastIndex)
    {
        if (State == ProgressState.Replicate)
        {
            NextIndex = lastIndex + 1;
            _inflight.Enqueue(lastIndex);
        }
        else
        {
            ProbeSent = true;
        }
    }

    public void OnHeartbeatSent()
    {
        if (State == ProgressState.Probe) ProbeSent = true;
    }

    /// <summary>A success reply says the follower matches up to index. Returns false when it is stale.</summary>
    public bool MaybeUpdate(long index)
    {
        var updated = false;
        if (MatchIndex < index)
        {
            MatchIndex = index;
            updated = true;
            ProbeSent = false;
        }
        NextIndex = Math.Max(NextIndex, index + 1);
        while (_inflight.Count > 0 && _inflight.Peek() <= index) _inflight.Dequeue();
        return updated;
    }

    /// <summary>
    /// A reject of the AppendEntries with prevLogIndex = rejected. nextHint is where the leader's fast back-off
    /// (from the follower's conflict term and index) says to resume. Returns false when the reject is stale.
    /// </summary>
    public bool MaybeDecreaseTo(long rejected, long nextHint)
    {
        // While a snapshot is on its way, rejects of older appends say nothing new.
        if (State == ProgressState.Snapshot) return false;

        if (State == ProgressState.Replicate)
        {
            // A reject of something already matched is a reordered old reply.
            if (rejected <= MatchIndex) return false;
            BecomeProbe();
            NextIndex = Math.Max(Math.Min(rejected, nextHint), MatchIndex + 1);
            return true;
        }

        // In Probe only the reply to the latest probe counts.
        if (NextIndex - 1 != rejected) return false;
        NextIndex = Math.Max(Math.Min(rejected, nextHint), MatchIndex + 1);
        ProbeSent = false;
        return true;
    }

    public ProgressStatus ToStatus() => new(
        State, NextIndex, MatchIndex,
        _inflight.Count, IsPaused, RecentActive,
        PendingSnapshotIndex, SnapshotOffset)
    { IsLearner = IsLearner };

    public override string ToString() => $"{State} next={NextIndex} match={MatchIndex} inflight={_inflight.Count}";
}
