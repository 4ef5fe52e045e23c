namespace Orleans.Raft.Client;

/// <summary>A range's keys in ordinal order; Count is how many the whole range holds, More that a limit cut it short.</summary>
public sealed record KvRange(IReadOnlyList<KvEntry> Entries, long Count, bool More, long Revision);
