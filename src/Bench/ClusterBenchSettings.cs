using System.Text.Json.Serialization;

namespace Orleans.Raft.Bench;

/// <summary>
/// What 'bench cluster' and 'bench etcd' were asked to do, as the report records it. Gateways is the running cluster
/// measured (HOST:PORT,...), or null when the benchmark starts its own nodes, one cluster per read mode.
/// </summary>
internal sealed record ClusterBenchSettings(
    int[] Clients,
    double Seconds,
    double WarmupSeconds,
    double SteadySeconds,
    int SteadyClients,
    int FailoverTrials,
    string[] ReadModes,
    string? Gateways)
{
    public int ValueBytes => BenchValues.ValueBytes;

    public int Keys => BenchValues.Keys;

    /// <summary>Where the JSON report goes; null: bench-SYSTEM-UTC.json in the current directory.</summary>
    [JsonIgnore]
    public string? JsonPath { get; init; }

    [JsonIgnore]
    public bool Verbose { get; init; }
}
