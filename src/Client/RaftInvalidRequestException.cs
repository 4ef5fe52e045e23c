namespace Orleans.Raft.Client;

/// <summary>The request was refused as malformed or over a limit; nothing was applied.</summary>
public sealed class RaftInvalidRequestException(string message, string? servedBy = null) : RaftKeyValueException(KvStatus.InvalidRequest, message, servedBy);
