using System.Text.Json;

namespace Orleans.Raft.Bench;

/// <summary>
/// One run of 'bench cluster' or 'bench etcd', as it is saved to compare runs: the system and how it was reached, the
/// machine, the settings, a cell per workload, read mode and client count, the elections under steady load and the
/// failover trials. Reports numbers; asserts nothing.
/// </summary>
internal sealed record ClusterBenchReport(
    string System,
    string Target,
    DateTime StartedUtc,
    int Cores,
    string LoadAtStart,
    string LoadAtEnd,
    ClusterBenchSettings Settings,
    ClusterCell[] Cells,
    SteadyLoadResult? Steady,
    FailoverSummary Failover)
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ClusterBenchReport FromJson(string json) =>
        JsonSerializer.Deserialize<ClusterBenchReport>(json, Json) ?? throw new JsonException("the file holds no report");

    /// <summary>bench-cluster-20261202T001500Z.json and the like: sorts by time, one per run.</summary>
    public static string DefaultFileName(string kind, DateTime startedUtc) => $"bench-{kind}-{startedUtc:yyyyMMdd'T'HHmmss'Z'}.json";
}
