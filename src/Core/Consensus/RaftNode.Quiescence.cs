namespace Orleans.Raft.Consensus;

// Quiescence (CockroachDB's quiesced ranges, TiKV's hibernate regions): an idle group stops ticking and heartbeating.
//
// Why it is safe. Quiescence changes no term, vote, log or commit rule; it only stops time. So Election Safety, Log
// Matching and the commit rule hold as before, and a quiesced leader that has been deposed meanwhile cannot serve: it
// must propose (which wakes it) and reach a majority at its term, and reads go through the log too. A leader quiesces
// only when every follower holds its whole log and it is all committed and applied, so any follower that wins a later
// election holds every acknowledged write. A follower quiesces only on a notice from the leader of its current term
// whose last entry it holds, and any other message wakes it; so a follower never sleeps while its leader runs. What
// quiescence takes away is the election timer, which is how a follower notices a dead leader: the shell must wake the
// group's replicas when a member's node dies, when a fault is injected, and when a client request reaches one of them;
// a woken follower campaigns after an election timeout, as if it had last heard from the leader when it quiesced.
public sealed partial class RaftNode
{
    /// <summary>
    /// Quiesced: ticks do nothing until an input wakes the node (a message other than a quiesce notice or a leader's
    /// reply that brings no news, a proposal, a campaign, a leadership transfer, or <see cref="Wake"/>). The shell then
    /// stops its timer. Volatile: a restarted node is awake.
    /// </summary>
    public bool Quiesced { get; private set; }

    /// <summary>
    /// True when this leader may quiesce: nothing is uncommitted, unapplied, unpersisted or unsent, no configuration
    /// change, leadership transfer or read is in progress, and every follower and learner was heard from since the last
    /// quorum check (or the last wake) and holds the whole log.
    /// </summary>
    public bool CanQuiesce =>
        Role == RaftRole.Leader && !Quiesced
        && _leadTransferee is null && _selfRemovalIndex == 0 && _pendingConfIndex <= CommitIndex
        && CommitIndex == _log.LastIndex && LastApplied == CommitIndex && _log.TermAt(CommitIndex) == CurrentTerm
        && !_unstable.ReadyInFlight && !HasReady && _pendingReads.Count == 0
        && _progress.Values.All(p => p.RecentActive && p.State == ProgressState.Replicate && p.MatchIndex == _log.LastIndex);

    /// <summary>
    /// A leader that <see cref="CanQuiesce"/> tells every follower to quiesce (the notice carries its commit index, so
    /// each learns the commit) and quiesces itself. Returns false, changing nothing, when it cannot.
    /// </summary>
    public bool Quiesce()
    {
        if (!CanQuiesce) return false;
        foreach (var peer in _progress.Keys)
        {
            Send(new RaftMessage
            {
                Type = MessageType.Quiesce,
                From = Id,
                To = peer,
                Term = CurrentTerm,
                Index = _log.LastIndex,
                LogTerm = _log.LastTerm,
                Commit = CommitIndex,
            });
        }
        Quiesced = true;
        return true;
    }

    /// <summary>
    /// Ends quiescence: the shell's wake (a member's node died, a fault was injected, a client request arrived). A woken
    /// follower's election timer runs on from where it stood, so it campaigns after an election timeout if no leader
    /// speaks. A woken leader must hear from every follower again before it quiesces, and gets a full election timeout
    /// for that before its quorum check.
    /// </summary>
    public void Wake()
    {
        if (!Quiesced) return;
        Quiesced = false;
        if (Role != RaftRole.Leader) return;
        _electionElapsed = 0;
        _leaseFloorRound = _round + 1; // its ticks stood still while time passed: its lease is void
        foreach (var p in _progress.Values) p.RecentActive = false;
    }

    /// <summary>
    /// Messages that leave a quiesced node asleep: a quiesce notice (handled on its own), and at a leader a success
    /// reply of its term for what the follower was already known to hold (a reply to a heartbeat sent before quiescing).
    /// </summary>
    private bool KeepsQuiet(RaftMessage m) =>
        m.Type == MessageType.Quiesce
        || (Role == RaftRole.Leader && m.Type == MessageType.AppendEntriesResponse && !m.Reject && m.Term == CurrentTerm
            && _progress.TryGetValue(m.From, out var pr) && m.Index <= pr.MatchIndex);

    /// <summary>
    /// A follower quiesces on its leader's notice only if it holds exactly the leader's log (the same last index and
    /// term, so by Log Matching the same entries); it then commits what the leader committed. Otherwise it stays as it
    /// is: a notice overtaken by newer entries, or one it cannot match, never puts it to sleep.
    /// </summary>
    private void HandleQuiesce(RaftMessage m)
    {
        if (_log.LastIndex != m.Index || _log.LastTerm != m.LogTerm) return;
        CommitTo(Math.Min(m.Commit, m.Index));
        Quiesced = true;
    }
}
