namespace Orleans.Raft.Bench;

/// <summary>
/// One workload at one client count: acknowledged requests per second and their latency in milliseconds, the
/// requests that failed (with their distinct errors, most frequent first), and the machine's 1-minute load average at
/// the start of the cell. ReadMode is how the cluster served linearizable gets while the cell ran.
/// </summary>
internal sealed record ClusterCell(
    string Workload,
    string ReadMode,
    int Clients,
    double Seconds,
    long Requests,
    long Errors,
    double OpsPerSecond,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    string Load,
    ErrorCount[] ErrorSamples);
