namespace Orleans.Raft.Client;

/// <summary>A compare-and-set's outcome: whether it wrote, and the key as it is now (written, or as found; null if absent).</summary>
public sealed record KvCompareResult(bool Succeeded, KvEntry? Current, long Revision);
