namespace Orleans.Raft.Client;

/// <summary>
/// No leader answered within the request timeout (NotLeader, Timeout or Unavailable). For a write the outcome is
/// unknown: it may apply later. Retry, reading first if the write is not idempotent.
/// </summary>
public sealed class RaftUnavailableException(KvStatus status, string message, string? servedBy = null) : RaftKeyValueException(status, message, servedBy);
