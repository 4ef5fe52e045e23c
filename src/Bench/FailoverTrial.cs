namespace Orleans.Raft.Bench;

/// <summary>
/// One kill of the leader's node: which node and replica died, which replica led next, the milliseconds from the kill to
/// the new leader's first status report and to the first write acknowledged after it, and the writes that failed or
/// timed out in between (each retried with a new key).
/// </summary>
internal sealed record FailoverTrial(
    int Trial,
    string KilledNode,
    string OldLeader,
    long OldTerm,
    string NewLeader,
    long NewTerm,
    double KillToLeaderMs,
    double KillToWriteMs,
    int FailedWrites,
    string? FirstError);
