using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Orleans.Raft.Hosting;

/// <summary>The "Orleans.Raft" meter; read it with dotnet-counters or any OpenTelemetry exporter.</summary>
public sealed class RaftMetrics : IDisposable
{
    public const string MeterName = "Orleans.Raft";

    /// <summary>
    /// Bucket bounds (ms) of the duration histograms, doubling from 0.1 ms as etcd's do from 1 ms: an fsync takes a
    /// fraction of a millisecond on a good disk, and OpenTelemetry's default buckets start at 5 ms.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

    private readonly Meter _meter;

    // The replicas running on this silo, as of their latest Ready: the gauges read it when they are collected.
    private readonly ConcurrentDictionary<string, ReplicaProgress> _replicas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Group, string Replica), byte> _quiesced = new();

    public RaftMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        ElectionsStarted = _meter.CreateCounter<long>("raft.elections.started", description: "Elections this silo's replicas started");
        ElectionsWon = _meter.CreateCounter<long>("raft.elections.won", description: "Elections this silo's replicas won");
        Proposals = _meter.CreateCounter<long>("raft.proposals", description: "Client commands proposed by leaders on this silo");
        ProposalsRefused = _meter.CreateCounter<long>("raft.proposals.refused", description: "Client commands refused as Overloaded because a leader's uncommitted backlog was at its bound");
        ProposalsTimedOut = _meter.CreateCounter<long>("raft.proposals.timed_out", description: "Client commands whose request timed out before their entry applied (they may still commit)");
        Applied = _meter.CreateCounter<long>("raft.entries.applied", description: "Log entries applied to state machines");
        CommitLatency = _meter.CreateHistogram<double>("raft.commit.latency", unit: "ms", description: "Time from proposal to apply at the leader");
        MessagesSent = _meter.CreateCounter<long>("raft.messages.sent", unit: "{messages}", description: "Raft messages this silo's replicas sent, directly or coalesced");
        MessagesCoalesced = _meter.CreateCounter<long>("raft.messages.coalesced", unit: "{messages}", description: "Raft messages sent in a batch to their node (heartbeats, quiesce notices, replies that bring no news)");
        MessageBatches = _meter.CreateCounter<long>("raft.message.batches", unit: "{calls}", description: "Grain calls carrying a batch of coalesced messages to one node");
        Ticks = _meter.CreateCounter<long>("raft.ticks", unit: "{ticks}", description: "Ticks of this silo's replicas (a quiesced replica does not tick)");
        ProposalsCommitted = _meter.CreateCounter<long>("raft.proposals.committed", unit: "{proposals}",
            description: "Client commands proposed by leaders on this silo whose entry committed and applied, by group");
        ProposalsFailed = _meter.CreateCounter<long>("raft.proposals.failed", unit: "{proposals}",
            description: "Client commands proposed by leaders on this silo that did not answer with their result, by group and reason: overloaded, timeout, leadership_lost or stopped");
        LeaderChanges = _meter.CreateCounter<long>("raft.leader.changes", unit: "{changes}",
            description: "Times a replica on this silo saw its group's leader change to another known leader, by group");
        SnapshotsSent = _meter.CreateCounter<long>("raft.snapshots.sent", unit: "{snapshots}", description: "Snapshots leaders on this silo sent that their follower installed, by group");
        SnapshotSendDuration = Duration("raft.snapshot.send.duration", "Time from a leader's first snapshot chunk to the follower's report that it installed it");
        SnapshotsReceived = _meter.CreateCounter<long>("raft.snapshots.received", unit: "{snapshots}", description: "Snapshots replicas on this silo received and installed, by group");
        SnapshotReceiveDuration = Duration("raft.snapshot.receive.duration", "Time from the first chunk of a snapshot to its durable install");
        PeerRoundTrip = Duration("raft.peer.round_trip",
            "Time from a leader's heartbeat (an append with no entries) to the peer's answer, by the peer's node (or replica where replicas have no node)");
        ApplyDuration = Duration("raft.apply.duration", "Time to apply one committed entry to the state machine");
        SlowApplies = _meter.CreateCounter<long>("raft.apply.slow", unit: "{entries}",
            description: "Committed entries whose apply took longer than Raft:SlowApplyThreshold, by group (each is logged as a warning)");
        Reads = _meter.CreateCounter<long>("raft.reads", unit: "{reads}",
            description: "Gets this silo's replicas answered, by group and by path: read_index, lease, log or serializable");
        _meter.CreateObservableGauge("raft.quiesced", () => _quiesced.Keys.Select(k => new Measurement<long>(1, new("group", k.Group), new("replica", k.Replica))).ToArray(),
            description: "1 for each quiesced replica on this silo");
        _meter.CreateObservableGauge("raft.term", () => Observe(p => p.Term), description: "Current term of each replica on this silo");
        _meter.CreateObservableGauge("raft.commit.index", () => Observe(p => p.Commit), description: "Commit index of each replica on this silo");
        _meter.CreateObservableGauge("raft.apply.lag", () => Observe(p => p.Commit - p.Applied), unit: "{entries}",
            description: "Committed entries not yet applied (commit index - applied index) of each replica on this silo");
        _meter.CreateObservableGauge("raft.proposals.pending", () => Observe(p => p.Pending), unit: "{requests}",
            description: "Client requests waiting for their entry to apply at each replica on this silo");
    }

    /// <summary>The meter itself, so an in-process listener can tell this silo's instruments from another's.</summary>
    public Meter Meter => _meter;

    public Counter<long> ElectionsStarted { get; }
    public Counter<long> ElectionsWon { get; }
    public Counter<long> Proposals { get; }
    public Counter<long> ProposalsRefused { get; }
    public Counter<long> ProposalsTimedOut { get; }
    public Counter<long> Applied { get; }
    public Histogram<double> CommitLatency { get; }
    public Counter<long> MessagesSent { get; }
    public Counter<long> MessagesCoalesced { get; }
    public Counter<long> MessageBatches { get; }
    public Counter<long> Ticks { get; }
    public Counter<long> Reads { get; }
    public Counter<long> ProposalsCommitted { get; }
    public Counter<long> ProposalsFailed { get; }
    public Counter<long> LeaderChanges { get; }
    public Counter<long> SnapshotsSent { get; }
    public Histogram<double> SnapshotSendDuration { get; }
    public Counter<long> SnapshotsReceived { get; }
    public Histogram<double> SnapshotReceiveDuration { get; }
    public Histogram<double> PeerRoundTrip { get; }
    public Histogram<double> ApplyDuration { get; }
    public Counter<long> SlowApplies { get; }

    /// <summary>Counts proposals that failed for one reason.</summary>
    public void CountFailedProposal(string group, ProposalFailure reason, int count = 1) => ProposalsFailed.Add(count, new("group", group), new("reason", reason switch
    {
        ProposalFailure.Overloaded => "overloaded",
        ProposalFailure.Timeout => "timeout",
        ProposalFailure.LeadershipLost => "leadership_lost",
        _ => "stopped",
    }));

    /// <summary>Counts a get a replica answered (a value or no such key), and how it was served.</summary>
    public void CountRead(string group, ReadPath path) => Reads.Add(1, new("group", group), new("path", path switch
    {
        ReadPath.ReadIndex => "read_index",
        ReadPath.Lease => "lease",
        ReadPath.Log => "log",
        _ => "serializable",
    }));

    /// <summary>True while the replica runs on this silo (it has reported progress and not stopped since).</summary>
    public bool IsRunning(string group, string replica) => _replicas.ContainsKey(ReplicaKey.Format(group, replica));

    /// <summary>The replicas on this silo that are quiesced now.</summary>
    public int QuiescedReplicas => _quiesced.Count;

    /// <summary>Records whether a replica is quiesced, for the raft.quiesced gauge.</summary>
    public void ReportQuiesced(string group, string replica, bool quiesced)
    {
        if (quiesced) _quiesced[(group, replica)] = 0;
        else _quiesced.TryRemove((group, replica), out _);
    }

    /// <summary>Records a running replica's progress for the gauges.</summary>
    public void Report(string group, string replica, long term, long commitIndex, long appliedIndex, int pending = 0) =>
        _replicas[ReplicaKey.Format(group, replica)] = new ReplicaProgress(group, replica, term, commitIndex, appliedIndex, pending);

    /// <summary>The replica no longer runs here: its gauges stop reporting.</summary>
    public void Forget(string group, string replica)
    {
        _replicas.TryRemove(ReplicaKey.Format(group, replica), out _);
        _quiesced.TryRemove((group, replica), out _);
    }

    private Histogram<double> Duration(string name, string description) =>
        _meter.CreateHistogram(name, unit: "ms", description: description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private IEnumerable<Measurement<long>> Observe(Func<ReplicaProgress, long> value) =>
        _replicas.Values.Select(p => new Measurement<long>(value(p), new("group", p.Group), new("replica", p.Replica))).ToArray();

    public void Dispose() => _meter.Dispose();

    private sealed record ReplicaProgress(string Group, string Replica, long Term, long Commit, long Applied, long Pending);
}
