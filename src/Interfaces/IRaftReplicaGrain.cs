using Orleans.Concurrency;

namespace Orleans.Raft;

/// <summary>
/// One Raft replica, keyed "group/replica". Replicas talk with one-way calls, so two replicas calling each other
/// never deadlock; client calls interleave with them.
/// </summary>
public interface IRaftReplicaGrain : IGrainWithStringKey
{
    /// <summary>Delivers a Raft message from a peer.</summary>
    [OneWay]
    Task Deliver(RaftEnvelope message);

    /// <summary>
    /// Starts this replica as a member of the given group, or restarts it from stable storage. Empty members means
    /// the members it has stored.
    /// </summary>
    Task Start(string[] members);

    /// <summary>
    /// Runs a client request. A leader proposes it and answers once it is applied; a follower answers NotLeader,
    /// or, when forward is true, forwards it to the leader it knows (as in the paper) and waits up to timeout. A
    /// serializable get is answered at once from this replica's own applied state, whatever its role.
    /// </summary>
    Task<KvResponse> Execute(KvRequest request, bool forward, TimeSpan timeout);

    /// <summary>
    /// A leader opens a client session through the log and answers once it is applied: the response's Index is the
    /// session id. A follower answers NotLeader.
    /// </summary>
    Task<KvResponse> OpenSession(TimeSpan timeout);

    /// <summary>
    /// The changes to the keys in [key, rangeEnd) (rangeEnd null: key alone) from fromRevision on (0: from now), in
    /// revision order, from this replica's applied log: first those its history holds, then each as it applies. A
    /// revision older than the history ends the stream with a <see cref="KvWatchEventType.Compacted"/> item. The stream
    /// fails if the replica stops or its silo dies; the caller resumes from the revision after the last it saw. Each
    /// item is every change in range that one read of the history found (never part of a revision), so a busy
    /// watch costs one call per wake-up rather than one per change.
    /// </summary>
    IAsyncEnumerable<KvWatchEvent[]> Watch(string key, string? rangeEnd, long fromRevision, bool prevKv, CancellationToken cancellationToken = default);

    /// <summary>Starts an election on this replica now (the paper's debug-startElection).</summary>
    Task StartElection();

    Task<ReplicaStatus> GetStatus();

    /// <summary>
    /// Crash-stops the replica: it answers nothing, its timers stop and its volatile state is gone.
    /// <see cref="Start"/> brings it back from stable storage.
    /// </summary>
    Task Stop();

    /// <summary>
    /// The value this replica's own state machine holds for key, or null. Diagnostics only: a follower may lag,
    /// so this is not a linearizable read.
    /// </summary>
    Task<string?> ReadLocal(string key);

    /// <summary>
    /// The (index, term) of this replica's log entries in [fromIndex, toIndex] that are still in its log (not
    /// compacted into a snapshot). Diagnostics and tests: logs must match up to the commit index.
    /// </summary>
    Task<LogPosition[]> GetLogPositions(long fromIndex, long toIndex);

    /// <summary>Deactivates this grain activation; the next call or reminder reactivates it from stable storage.</summary>
    Task Deactivate();

    /// <summary>
    /// Creates this replica, with an empty log, to join a running group: bootstrap is the group's bootstrap
    /// configuration ("name@node"), in which it does not appear. It accepts the leader's AppendEntries and
    /// InstallSnapshot, learns its membership from them, and never campaigns until a committed change makes it a voter.
    /// Refused if the replica already has stored state.
    /// </summary>
    Task Join(string[] bootstrap);

    /// <summary>
    /// At the leader: reserves a replica name never used in the group, through the log (r&lt;N&gt;, N above every
    /// name ever used); Value holds it. NotLeader elsewhere.
    /// </summary>
    Task<KvResponse> ReserveReplicaName(TimeSpan timeout);

    /// <summary>
    /// At the leader: proposes one membership change and answers once it commits (Ok), or Refused with why, NotLeader,
    /// or Timeout (it may still commit).
    /// </summary>
    Task<KvResponse> ChangeMembership(MembershipChange change, TimeSpan timeout);

    /// <summary>
    /// At the leader: hands leadership to target (Raft thesis §3.10) and answers Ok once target leads, Refused with
    /// why, NotLeader, or Timeout. A Timeout with <see cref="KvResponse.UndecidedTransferTerm"/> set means target was told
    /// to campaign and this replica cannot tell whether it won.
    /// </summary>
    Task<KvResponse> TransferLeadership(string target, TimeSpan timeout);

    /// <summary>Removes this replica for good: stops it, drops its reminder and deletes its stable storage.</summary>
    Task Retire();

    /// <summary>
    /// A peer whose applied state records this replica as removed from the group says so (by names the peer), in
    /// answer to a message or a <see cref="CheckRemoved"/> from it. Names are never reused, so the removal is final:
    /// the replica retires.
    /// </summary>
    [OneWay]
    Task NotifyRemoved(string replica, string by);

    /// <summary>
    /// A replica that has heard from no peer for an election timeout asks whether it was removed (member is
    /// "name@node"); a replica whose applied state records it as removed answers with <see cref="NotifyRemoved"/>,
    /// any other stays silent.
    /// </summary>
    [OneWay]
    Task CheckRemoved(string member);
}
