namespace Orleans.Raft.Client;

/// <summary>The request's client session was unknown or expired: nothing was applied.</summary>
public sealed class RaftSessionExpiredException(string message, string? servedBy = null) : RaftKeyValueException(KvStatus.SessionExpired, message, servedBy);
