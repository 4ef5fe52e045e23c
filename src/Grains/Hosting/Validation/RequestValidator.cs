using System.Text;

namespace Orleans.Raft.Hosting;

/// <summary>Checks a client request against the configured limits before anything is proposed.</summary>
public static class RequestValidator
{
    /// <summary>Returns why the request is refused, or null when it is acceptable.</summary>
    public static RequestError? Validate(KvRequest? request, RaftOptions options)
    {
        if (request is null) return RequestError.Invalid("the request is empty");
        if (!Enum.IsDefined(request.Operation)) return RequestError.Invalid($"unknown operation {(int)request.Operation}");
        if (!Enum.IsDefined(request.Consistency)) return RequestError.Invalid($"unknown read consistency {(int)request.Consistency}");
        if (request.Consistency == ReadConsistency.Serializable && request.Operation is not (KvOperation.Get or KvOperation.Range))
            return RequestError.Invalid($"only a get or a range can be serializable; {request.Operation} always goes through the leader");
        switch (request.Operation)
        {
            case KvOperation.Range:
                return ValidateRange(request.Key, request.RangeEnd, options) ?? (request.Limit < 0 ? RequestError.Invalid("a range's limit must not be negative") : null)
                    ?? ValidateSession(request);
            case KvOperation.Txn:
                return ValidateTxn(request.Txn, options) ?? ValidateSession(request);
            case KvOperation.LeaseGrant when request.Ttl < MinLeaseTtl || request.Ttl > MaxLeaseTtl:
                return RequestError.Invalid($"a lease's TTL is from {MinLeaseTtl.TotalSeconds} s to {MaxLeaseTtl.TotalDays} days, not {request.Ttl}");
            case KvOperation.LeaseRevoke or KvOperation.LeaseKeepAlive or KvOperation.LeaseTimeToLive when request.Lease <= 0:
                return RequestError.Invalid("a lease id is a positive number");
            case KvOperation.LeaseGrant or KvOperation.LeaseRevoke or KvOperation.LeaseKeepAlive or KvOperation.LeaseTimeToLive or KvOperation.LeaseList:
                return ValidateSession(request);
        }
        if (request.Lease < 0) return RequestError.Invalid("a lease id is a positive number");
        if (request.ExpectedModRevision is < 0) return RequestError.Invalid("a mod revision must not be negative");
        if (request.ExpectedModRevision is not null && (request.Operation != KvOperation.CompareAndSet || request.Expected is not null))
            return RequestError.Invalid("an expected mod revision is for a compare-and-set, instead of an expected value");
        if (ValidateKey(request.Key, options) is { } keyError) return keyError;
        switch (request.Operation)
        {
            case KvOperation.Set or KvOperation.CompareAndSet or KvOperation.Append when request.Value is null:
                return RequestError.Invalid("a value is required");
            case KvOperation.Append when request.Expected is not null:
                return RequestError.Invalid("Append takes no expected value");
            case KvOperation.Get or KvOperation.Delete when request.Value is not null || request.Expected is not null:
                return RequestError.Invalid($"{request.Operation} takes no value");
        }
        if (ValidateSession(request) is { } sessionError) return sessionError;
        if (request.Value is not null)
        {
            var valueBytes = Encoding.UTF8.GetByteCount(request.Value);
            if (valueBytes > options.MaxValueBytes) return RequestError.TooLarge($"the value is {valueBytes} bytes; the limit is {options.MaxValueBytes} bytes");
        }
        if (request.Expected is not null && Encoding.UTF8.GetByteCount(request.Expected) > options.MaxValueBytes)
        {
            return RequestError.TooLarge($"the expected value is over the limit of {options.MaxValueBytes} bytes");
        }
        return null;
    }

    /// <summary>The shortest lease: a few election timeouts, so a leader change does not outlast it (etcd's minimum TTL is 1.5 of them).</summary>
    public static readonly TimeSpan MinLeaseTtl = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxLeaseTtl = TimeSpan.FromDays(30);

    /// <summary>The most compares or operations a transaction may hold (etcd's --max-txn-ops default).</summary>
    public const int MaxTxnOps = 128;

    private static RequestError? ValidateSession(KvRequest request)
    {
        if (request.SessionId < 0 || request.Sequence < 0 || request.AckedBelow < 0)
            return RequestError.Invalid("session id, sequence and acknowledgement must not be negative");
        if (request.SessionId == 0 && (request.Sequence != 0 || request.AckedBelow != 0)) return RequestError.Invalid("a sequence number needs a session id");
        return null;
    }

    /// <summary>A range [key, end): end null is the key alone, "\0" every key from key on (key may then be empty).</summary>
    public static RequestError? ValidateRange(string? key, string? end, RaftOptions options)
    {
        if (end == KeyRange.AllFrom) return string.IsNullOrEmpty(key) ? null : ValidateKey(key, options);
        if (ValidateKey(key, options) is { } keyError) return keyError;
        if (end is null) return null;
        if (ValidateKey(end, options) is { } endError) return RequestError.Invalid($"the range's end: {endError.Message}");
        return string.CompareOrdinal(key, end) < 0 ? null : RequestError.Invalid($"the range's end '{end}' is not after its start '{key}'");
    }

    private static RequestError? ValidateTxn(KvTxn? txn, RaftOptions options)
    {
        if (txn is null) return RequestError.Invalid("a transaction is required");
        if (txn.Compares is null || txn.Success is null || txn.Failure is null) return RequestError.Invalid("a transaction's compares and branches must not be null");
        if (txn.Compares.Length > MaxTxnOps || txn.Success.Length > MaxTxnOps || txn.Failure.Length > MaxTxnOps)
            return RequestError.Invalid($"a transaction holds at most {MaxTxnOps} compares and {MaxTxnOps} operations a branch");
        foreach (var c in txn.Compares)
        {
            if (c is null || !Enum.IsDefined(c.Target) || !Enum.IsDefined(c.Operator)) return RequestError.Invalid("a compare is malformed");
            if (ValidateKey(c.Key, options) is { } e) return RequestError.Invalid($"compare on '{c.Key}': {e.Message}");
            if (c.Target == KvCompareTarget.Value && c.Value is null) return RequestError.Invalid($"a value compare on '{c.Key}' needs a value");
        }
        foreach (var branch in new[] { txn.Success, txn.Failure })
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var op in branch)
            {
                if (op is null || !Enum.IsDefined(op.Type)) return RequestError.Invalid("an operation is malformed");
                var error = op.Type switch
                {
                    KvTxnOpType.Put => ValidateKey(op.Key, options)
                        ?? (op.Value is null ? RequestError.Invalid($"a put of '{op.Key}' needs a value") : null)
                        ?? (op.Value is not null && Encoding.UTF8.GetByteCount(op.Value) > options.MaxValueBytes
                            ? RequestError.TooLarge($"the value for '{op.Key}' is over the limit of {options.MaxValueBytes} bytes") : null)
                        ?? (op.Lease < 0 ? RequestError.Invalid("a lease id is a positive number") : null)
                        ?? (op.RangeEnd is not null ? RequestError.Invalid("a put is of one key") : null),
                    _ => ValidateRange(op.Key, op.RangeEnd, options) ?? (op.Limit < 0 ? RequestError.Invalid("a range's limit must not be negative") : null),
                };
                if (error is not null) return error;
                // etcd refuses the same key written twice in a branch: its outcome would hang on the order.
                if (op.Type == KvTxnOpType.Put && !written.Add(op.Key)) return RequestError.Invalid($"key '{op.Key}' is written twice in one branch");
            }
        }
        return null;
    }

    /// <summary>Returns why the key is refused, or null when it is acceptable.</summary>
    public static RequestError? ValidateKey(string? key, RaftOptions options)
    {
        if (string.IsNullOrEmpty(key)) return RequestError.Invalid("the key is empty");
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        if (keyBytes > options.MaxKeyBytes) return RequestError.TooLarge($"the key is {keyBytes} bytes; the limit is {options.MaxKeyBytes} bytes");
        if (key.Any(char.IsControl)) return RequestError.Invalid("the key contains control characters");
        return null;
    }
}
