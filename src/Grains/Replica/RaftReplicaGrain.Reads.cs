using System.Diagnostics;
using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Replica;

// Gets that skip the log (Raft thesis §6.4): the core confirms a read index (RaftNode.ReadIndex); the shell waits until
// its state machine has applied that far and answers from it. A leader takes the read itself; a follower asked to
// forward has its core ask the leader for the index, then answers from its own state machine.
public sealed partial class RaftReplicaGrain
{
    // Every read this activation waits for, by context: released once Index is set, answered once applied that far.
    private readonly Dictionary<Guid, PendingRead> _reads = [];

    private sealed class PendingRead(KvRequest request, bool atLeader)
    {
        public KvRequest Request => request;

        /// <summary>Taken while leading: it fails when this replica stops leading, released or not.</summary>
        public bool AtLeader => atLeader;

        public long? Index { get; set; }

        public TaskCompletionSource<KvResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private bool ReadsSkipLog => _options.ReadMode != RaftReadMode.Log;

    /// <summary>One attempt at a get without the log; pauses when the node cannot take it yet.</summary>
    private async Task<RetryStep<KvResponse>> ReadAsync(RaftNode node, KvRequest request, TimeSpan remaining)
    {
        using var activity = RaftTracing.StartAtLeader("raft.read", _group, _name, node.CurrentTerm);
        activity?.SetTag(RaftTracing.OperationTag, request.Operation.ToString());
        var step = await ReadCoreAsync(node, request, remaining, activity);
        if (step.Result is { } answer) RaftTracing.SetOutcome(activity, answer);
        else activity?.SetTag(RaftTracing.StatusTag, "retry");
        return step;
    }

    private async Task<RetryStep<KvResponse>> ReadCoreAsync(RaftNode node, KvRequest request, TimeSpan remaining, Activity? activity)
    {
        var id = Guid.NewGuid();
        var waiting = node.PendingReads;
        var result = node.ReadIndex(id.ToByteArray());
        if (result.Refusal == ProposeRefusal.NotCommittedInTerm) return RetryStep<KvResponse>.AfterPause; // its no-op commits within a round trip
        if (!result.Accepted)
        {
            // No leader known: a follower waits for an election; a leader is never refused so.
            return node.Role == RaftRole.Leader ? RetryStep<KvResponse>.Answer(NotLeaderResponse(result.LeaderHint)) : RetryStep<KvResponse>.AfterPause;
        }
        var atLeader = node.Role == RaftRole.Leader;
        // Released at once, with no round to wait for: within the lease (or a lone voter, which confirms itself).
        var path = atLeader && node.PendingReads == waiting && _options.ReadMode == RaftReadMode.Lease ? ReadPath.Lease : ReadPath.ReadIndex;
        activity?.SetTag(RaftTracing.ReadPathTag, path == ReadPath.Lease ? "lease" : "read_index");
        var read = new PendingRead(request, atLeader);
        _reads[id] = read;
        SchedulePump();
        // A forwarded read or its answer may be lost on the way (the leader answers neither a dead nor a refused read
        // twice): after an election timeout the follower asks again.
        var wait = atLeader ? remaining : TimeSpan.FromTicks(Math.Min(remaining.Ticks, (_options.TickInterval * _options.ElectionTicks).Ticks));
        KvResponse response;
        try
        {
            response = await read.Completion.Task.WaitAsync(wait, timeProvider);
        }
        catch (TimeoutException)
        {
            _reads.Remove(id);
            if (!atLeader && wait < remaining)
            {
                logger.ForwardedReadUnanswered(_group, _name, node.LeaderId ?? "unknown");
                return RetryStep<KvResponse>.Again;
            }
            return RetryStep<KvResponse>.Answer(KvResponse.Failure(KvStatus.Timeout,
                $"Request timed out: {_name} could not confirm a read index{(read.Index is { } index ? $" (it had applied {_stateMachine.LastAppliedIndex} of {index})" : "")} in time; nothing was changed", _name));
        }
        // A follower's read failed with its leader: ask the next one. A leader's answer goes back to the gateway as it is.
        if (!atLeader && response.Status == KvStatus.NotLeader) return RetryStep<KvResponse>.AfterPause;
        if (response.Status is KvStatus.Ok or KvStatus.NotFound) metrics.CountRead(_group, path);
        return RetryStep<KvResponse>.Answer(response);
    }

    /// <summary>
    /// A serializable get (etcd's <c>--consistency=s</c>): this replica's own applied state, at once, whatever its role, so
    /// possibly stale but never uncommitted. Refused, as other requests are, by a replica that is not running; also by one
    /// whose removal it has applied, or that is joining and has applied no configuration with it yet: it holds no
    /// state the group still stands behind.
    /// </summary>
    private KvResponse SerializableRead(KvRequest request)
    {
        if (_node is null) return NotRunning();
        if (_removedAt > 0) return KvResponse.Failure(KvStatus.Unavailable, $"replica {_name} was removed from group {_group}", _name);
        if (!_wasMember) return KvResponse.Failure(KvStatus.Unavailable, $"replica {_name} is joining group {_group} and holds none of its state yet", _name);
        metrics.CountRead(_group, ReadPath.Serializable);
        return AnswerRead(request, _stateMachine.LastAppliedIndex);
    }

    /// <summary>
    /// After a Ready's entries are applied: notes the reads the core released, fails those it dropped, and answers every
    /// read whose index this replica has applied.
    /// </summary>
    private void ObserveReads(RaftNode node, Ready rd)
    {
        foreach (var state in rd.ReadStates)
        {
            if (ReadOf(state.Context) is { } id && _reads.TryGetValue(id, out var read)) read.Index = state.Index;
        }
        foreach (var context in rd.DroppedReads)
        {
            if (ReadOf(context) is { } id && _reads.Remove(id, out var read))
                read.Completion.TrySetResult(ReadFailed(node.LeaderId, "the leader could not confirm the read"));
        }
        ServeAppliedReads();
    }

    private static Guid? ReadOf(byte[] context) => context.Length == 16 ? new Guid(context) : null;

    /// <summary>Answers, from the state machine, every released read whose index it has applied.</summary>
    private void ServeAppliedReads()
    {
        if (_reads.Count == 0) return;
        var applied = _stateMachine.LastAppliedIndex;
        foreach (var (id, read) in _reads.Where(r => r.Value.Index <= applied).ToList())
        {
            _reads.Remove(id);
            read.Completion.TrySetResult(AnswerRead(read.Request, read.Index!.Value));
        }
    }

    /// <summary>
    /// The role or the leader changed: a former leader fails its reads, as no quorum of its term answers them now, and a
    /// follower fails the reads its old leader has not released yet, which it may never answer.
    /// </summary>
    private void ObserveReadsOnLeaderChange(RaftNode node, bool leadershipLost)
    {
        if (_reads.Count == 0) return;
        foreach (var (id, read) in _reads.Where(r => r.Value.AtLeader ? leadershipLost : r.Value.Index is null).ToList())
        {
            _reads.Remove(id);
            read.Completion.TrySetResult(ReadFailed(node.LeaderId, "leadership changed"));
        }
    }

    private void FailReads(string why)
    {
        foreach (var read in _reads.Values) read.Completion.TrySetResult(ReadFailed(null, why));
        _reads.Clear();
    }

    /// <summary>A read that failed changed nothing: NotLeader, so the gateway retries it elsewhere.</summary>
    private KvResponse ReadFailed(string? leader, string why) => new()
    {
        Status = KvStatus.NotLeader,
        LeaderHint = leader,
        ServedBy = _name,
        Error = $"{why}; the read was not served{(leader is null ? "" : $" (the leader is {leader})")}",
    };
}
