namespace Orleans.Raft.Storage;

/// <summary>
/// What a replica finds in stable storage when it starts: its members, HardState, latest snapshot (if any), and the
/// log entries in order, from at most Snapshot.Index + 1 (or from 1 with no snapshot): entries at or below the snapshot
/// are the trailing window kept for lagging followers.
/// </summary>
/// <remarks>
/// Members is the bootstrap configuration, saved when the replica is created. Once the log holds a committed
/// configuration change, or the snapshot carries a configuration, that wins: <see cref="RaftNode.Configuration"/>
/// says which is in force.
/// </remarks>
public sealed record PersistedReplicaState(string[] Members, HardState HardState, IReadOnlyList<LogEntry> Entries, RaftSnapshot? Snapshot = null)
{
    public static readonly PersistedReplicaState Empty = new([], HardState.Empty, []);

    public bool IsConfigured => Members.Length > 0;
}
