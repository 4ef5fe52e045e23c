namespace Orleans.Raft.Bench;

/// <summary>
/// One kill of the leader's node: which node and replica died, which replica led next, the milliseconds from the kill to
/// the new leader's first status report and to the first write acknowledged after it, the longest wait between two
/// acknowledged writes from then until 5 s after the kill (a second outage shows there), and the attempts that failed
/// or timed out before the first write (each tried again), with their distinct errors.
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
    double LongestStallAfterMs,
    int FailedWrites,
    string[] Errors);
