namespace Orleans.Raft.Client;

/// <summary>The lease does not exist (never granted, revoked, or expired): nothing was applied.</summary>
public sealed class RaftLeaseNotFoundException(long lease, string message, string? servedBy = null) : RaftKeyValueException(KvStatus.LeaseNotFound, message, servedBy)
{
    /// <summary>The lease that was not found.</summary>
    public long Lease { get; } = lease;
}
