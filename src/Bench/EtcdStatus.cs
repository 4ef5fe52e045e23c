namespace Orleans.Raft.Bench;

/// <summary>
/// One etcd member's answer to /v3/maintenance/status: its own id, the leader's id as it knows it (null: none), its
/// term, and its committed and applied raft indexes. Ids are etcd's 64-bit member ids, as decimal text.
/// </summary>
internal sealed record EtcdStatus(string MemberId, string? Leader, long RaftTerm, long RaftIndex, long RaftAppliedIndex);
