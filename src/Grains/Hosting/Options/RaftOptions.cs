using System.ComponentModel.DataAnnotations;

namespace Orleans.Raft.Hosting;

/// <summary>Raft settings, bound from the "Raft" configuration section.</summary>
public sealed class RaftOptions
{
    public const string SectionName = "Raft";

    /// <summary>
    /// The store: the name clients address. With one group (<see cref="Groups"/>) it is also the group's name; with
    /// more, the groups are "{Group}-0" .. "{Group}-{Groups-1}" (see <see cref="ShardMap"/>).
    /// </summary>
    [Required]
    public string Group { get; set; } = "default";

    /// <summary>
    /// The number of groups the store's keys are split over, fixed when the cluster is created. Unset: 1 on a lone
    /// node or a silo that is no node, and <see cref="DefaultGroupsPerNode"/> per initial node in a cluster.
    /// </summary>
    public int? Groups { get; set; }

    public const int DefaultGroupsPerNode = 4;

    /// <summary>
    /// Replicas per group, each on its own node (at most the number of initial nodes). Unset: 3 in a cluster (fewer
    /// with fewer nodes), <see cref="DefaultReplicas"/> on a lone node. <see cref="Replicas"/>, when named, wins.
    /// </summary>
    public int? ReplicationFactor { get; set; }

    public const int DefaultReplicationFactor = 3;

    /// <summary>
    /// How often the store's leader balancer looks at who leads each group, moving at most one group's leadership
    /// each time (see RaftStoreGrain); zero turns it off. Only a store of several groups is balanced.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan LeaderBalanceInterval { get; set; } = TimeSpan.FromSeconds(10);

    public static readonly string[] DefaultReplicas = ["r1", "r2", "r3", "r4", "r5"];

    /// <summary>
    /// The names of each group's replicas; empty means r1..r<see cref="ReplicationFactor"/> (see <see cref="RaftGroupLayout"/>).
    /// </summary>
    /// <remarks>Empty by default because the configuration binder appends to an array rather than replacing it.</remarks>
    public string[] Replicas { get; set; } = [];

    /// <summary>Create and start this node's replicas of the store's groups when the silo starts.</summary>
    public bool StartReplicas { get; set; } = true;

    /// <summary>Wall-clock length of one Raft tick.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Election timeout in ticks; each replica randomizes it in [ElectionTicks, 2*ElectionTicks).</summary>
    [Range(2, 10_000)]
    public int ElectionTicks { get; set; } = 10;

    /// <summary>Ticks between a leader's heartbeats; must be less than ElectionTicks.</summary>
    [Range(1, 10_000)]
    public int HeartbeatTicks { get; set; } = 2;

    public bool PreVote { get; set; } = true;

    public bool CheckQuorum { get; set; } = true;

    /// <summary>
    /// How a get is served: <see cref="RaftReadMode.ReadIndex"/> (the default), <see cref="RaftReadMode.Lease"/> (needs
    /// <see cref="CheckQuorum"/>; replicas then never force an election on request, since a forced one ignores leases) or
    /// <see cref="RaftReadMode.Log"/>. All three are linearizable; Lease only while the clocks' drift stays within a tick.
    /// </summary>
    public RaftReadMode ReadMode { get; set; } = RaftReadMode.ReadIndex;

    /// <summary>
    /// How long a client request may take before it ends in a timeout error. At most 20 s, and well below
    /// <see cref="SessionTimeout"/>, so a session is never expired under a request that is still being retried.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:20")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the gateway waits for a replica's answer before it checks that the replica still answers at all; one that
    /// does not, within this time again, is passed over for the others long before Orleans declares its node dead. A
    /// retry is safe, since every write carries its session and sequence.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:20")]
    public TimeSpan GatewayAttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// A leader expires a client session idle this long, through the log; a later request of that session answers
    /// SessionExpired. It must be well above <see cref="RequestTimeout"/> (at least 3 times, checked at start).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.030", "7.00:00:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The changes each replica keeps for watchers, by count; a watcher that asks for an older revision is told it is
    /// compacted. Memory is this many events a replica, whatever the number of watchers: a watcher keeps none of its own.
    /// </summary>
    [Range(16, 10_000_000)]
    public int WatchHistoryEvents { get; set; } = Orleans.Raft.StateMachine.KeyValueStateMachine.DefaultHistoryCapacity;

    /// <summary>
    /// The bytes of keys and values each replica's watch history holds at most (64 MiB): with large values the history
    /// is shorter than <see cref="WatchHistoryEvents"/>. Its latest revision is always kept.
    /// </summary>
    [Range(1024L * 1024, 64L * 1024 * 1024 * 1024)]
    public long WatchHistoryBytes { get; set; } = Orleans.Raft.StateMachine.KeyValueStateMachine.DefaultHistoryBytes;

    /// <summary>
    /// The newest changes each snapshot carries for watchers; unset, the whole history (<see cref="WatchHistoryEvents"/>),
    /// so a replica that restarts or joins from a snapshot serves every watcher its peers can, as etcd's backend keeps
    /// every revision until a compaction. Lower it (0: none) for smaller snapshots. Every node of a group must use the
    /// same value, or their snapshots at one index differ.
    /// </summary>
    [Range(0, 10_000_000)]
    public int? WatchHistorySnapshotEvents { get; set; }

    /// <summary>
    /// The bytes of keys and values each snapshot's history holds at most; unset, <see cref="WatchHistoryBytes"/>. The
    /// same on every node of a group, as <see cref="WatchHistorySnapshotEvents"/>.
    /// </summary>
    [Range(0L, 64L * 1024 * 1024 * 1024)]
    public long? WatchHistorySnapshotBytes { get; set; }

    /// <summary>
    /// The largest encoded size of the keys and values, in bytes: a leader refuses writes that would pass it, which
    /// keeps snapshots far below the 2 GB a byte array can hold.
    /// </summary>
    [Range(1024L, 1L << 30)]
    public long MaxStateBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Period of the keep-alive reminder that reactivates a replica whose silo died.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest key, in UTF-8 bytes.</summary>
    [Range(1, int.MaxValue)]
    public int MaxKeyBytes { get; set; } = 1024;

    /// <summary>Largest value, in UTF-8 bytes.</summary>
    [Range(0, int.MaxValue)]
    public int MaxValueBytes { get; set; } = 1024 * 1024;

    [Range(1, 1_000_000)]
    public int MaxEntriesPerMessage { get; set; } = 512;

    [Range(1, 1024)]
    public int MaxInflightMessages { get; set; } = 64;

    /// <summary>Take a snapshot of the state machine, and compact the log below it, every this many applied entries.</summary>
    [Range(1, int.MaxValue)]
    public int SnapshotEvery { get; set; } = 10_000;

    /// <summary>Size of one InstallSnapshot chunk sent to a follower that is too far behind.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int SnapshotChunkBytes { get; set; } = 256 * 1024;

    /// <summary>The most writes a leader holds uncommitted; past it, writes answer Overloaded until some commit.</summary>
    [Range(1, int.MaxValue)]
    public int MaxUncommittedEntries { get; set; } = 10_000;

    /// <summary>
    /// The most bytes of commands a leader holds uncommitted (etcd's MaxUncommittedEntriesSize); past it, writes answer
    /// Overloaded. A single write is always admitted when nothing is uncommitted.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long MaxUncommittedBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>
    /// Log entries kept below each snapshot (etcd's SnapshotCatchUpEntries), so a follower that just installed an older
    /// snapshot continues from the log rather than needing the next one.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int SnapshotCatchUpEntries { get; set; } = 5_000;

    /// <summary>
    /// The leader promotes a learner to voter once its log is within this many entries of the leader's last index, so
    /// a new voter never holds up commits while it catches up.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int PromoteLearnerWithin { get; set; } = 16;

    /// <summary>How long 'member add' and 'node drain' wait for a new learner to catch up and be promoted.</summary>
    public TimeSpan LearnerCatchUpTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Self-repair: once a member's node has had no active silo this long, the leader has its replica replaced on a live
    /// node that holds none of the group's replicas. Zero turns it off; otherwise at least 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ReplaceDeadNodeAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Quiescence: a leader whose group is idle (everything committed and applied on every member, no change or transfer
    /// in progress, every member's node up) tells its followers so, and they all stop ticking until a message, a
    /// request, a fault or a member's node dying wakes them. Only groups whose replicas are all pinned to nodes quiesce.
    /// </summary>
    public bool Quiesce { get; set; } = true;

    /// <summary>
    /// Heartbeats, quiesce notices and the replies that bring no news, from this silo's replicas to one node, travel as
    /// one grain call per tick (CockroachDB's coalesced heartbeats). Appends, votes and snapshots always go at once.
    /// </summary>
    public bool CoalesceHeartbeats { get; set; } = true;

    /// <summary>
    /// An entry whose apply takes at least this long is logged as a warning and counted in raft.apply.slow (etcd warns
    /// at 100 ms, its --warning-apply-duration). Applies run one after another, so a slow one delays every later request.
    /// </summary>
    public TimeSpan SlowApplyThreshold { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Seed for election-timeout randomness; 0 picks one per activation (logged, so a run can be replayed).</summary>
    public int RandomSeed { get; set; }
}
