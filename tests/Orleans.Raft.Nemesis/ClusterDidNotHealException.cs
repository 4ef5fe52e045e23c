namespace Orleans.Raft.Nemesis;

/// <summary>The faults ended and the cluster did not heal in time: a failed run, not a failure of the tool.</summary>
public sealed class ClusterDidNotHealException(string message, Exception inner) : Exception(message, inner);
