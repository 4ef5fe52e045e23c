namespace Orleans.Raft.Bench;

/// <summary>
/// Elections during a long cell of sets at a steady client count: the cell itself, the leadership samples taken during
/// it (and those that got no answer), the terms at its start and end summed over the groups, and the elections counted
/// from the samples.
/// </summary>
internal sealed record SteadyLoadResult(ClusterCell Load, int Samples, int FailedSamples, long FirstTerm, long LastTerm, long TermChanges, int LeaderChanges);
