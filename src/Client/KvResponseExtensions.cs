namespace Orleans.Raft.Client;

/// <summary>Answers as typed results: a failure as the exception for its status.</summary>
public static class KvResponseExtensions
{
    /// <summary>The exception for a response that failed; null for Ok, and for the statuses the caller handles (allowed).</summary>
    public static RaftKeyValueException? ToException(this KvResponse response, params KvStatus[] allowed)
    {
        if (response.Status == KvStatus.Ok || allowed.Contains(response.Status)) return null;
        var error = response.Error ?? response.Status.ToString();
        return response.Status switch
        {
            KvStatus.NotLeader or KvStatus.Timeout or KvStatus.Unavailable => new RaftUnavailableException(response.Status, error, response.ServedBy),
            KvStatus.InvalidRequest => new RaftInvalidRequestException(error, response.ServedBy),
            KvStatus.Overloaded => new RaftOverloadedException(error, response.ServedBy),
            KvStatus.SessionExpired => new RaftSessionExpiredException(error, response.ServedBy),
            KvStatus.LeaseNotFound => new RaftLeaseNotFoundException(response.Lease, error, response.ServedBy),
            KvStatus.Refused => new RaftRefusedException(error, response.ServedBy),
            KvStatus.Compacted => new RaftCompactedException(response.Revision),
            _ => new RaftKeyValueException(response.Status, error, response.ServedBy),
        };
    }

    /// <summary>Throws the response's exception unless it succeeded or ended in one of allowed; returns it.</summary>
    public static KvResponse OrThrow(this KvResponse response, params KvStatus[] allowed) =>
        response.ToException(allowed) is { } ex ? throw ex : response;
}
