namespace Orleans.Raft.Client;

/// <summary>The leader's uncommitted backlog was at its bound: nothing was applied; retry later.</summary>
public sealed class RaftOverloadedException(string message, string? servedBy = null) : RaftKeyValueException(KvStatus.Overloaded, message, servedBy);
