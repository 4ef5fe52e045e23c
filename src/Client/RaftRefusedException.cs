namespace Orleans.Raft.Client;

/// <summary>A membership change or leadership transfer was refused: nothing was changed.</summary>
public sealed class RaftRefusedException(string message, string? servedBy = null) : RaftKeyValueException(KvStatus.Refused, message, servedBy);
