namespace Orleans.Raft.Consensus;

/// <summary>Thrown when the core sees its own invariants broken: this is a bug, never a runtime condition.</summary>
public sealed class RaftInvariantException(string message) : Exception(message);
