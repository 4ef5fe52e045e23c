namespace Orleans.Raft.Client;

/// <summary>A request to the store that did not succeed: Status says how it ended, Error why.</summary>
public class RaftKeyValueException(KvStatus status, string message, string? servedBy = null) : Exception(message)
{
    /// <summary>How the request ended.</summary>
    public KvStatus Status { get; } = status;

    /// <summary>The replica that answered, if one did.</summary>
    public string? ServedBy { get; } = servedBy;
}
