namespace Orleans.Raft.Consensus;

/// <summary>
/// A released read (Raft thesis §6.4, etcd's ReadState): the read whose context this is may be served once this
/// replica has applied up to Index; that state is at least as new as every write acknowledged before the read began.
/// </summary>
/// <param name="Index">The leader's commit index when it received the read, confirmed as still the leader's since.</param>
/// <param name="Context">The context given to <see cref="RaftNode.ReadIndex"/>, unchanged.</param>
public sealed record ReadState(long Index, byte[] Context);
