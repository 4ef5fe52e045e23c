namespace Orleans.Raft.Bench;

/// <summary>One distinct error of failed requests, and how many failed with it.</summary>
internal sealed record ErrorCount(string Error, int Count);
