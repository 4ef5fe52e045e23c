namespace Orleans.Raft.Web.Tests;

/// <summary>One sample line of the Prometheus text exposition format: a metric name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
