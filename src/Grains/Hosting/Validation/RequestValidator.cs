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
        if (request.Consistency == ReadConsistency.Serializable && request.Operation != KvOperation.Get)
            return RequestError.Invalid($"only a get can be serializable; {request.Operation} always goes through the leader");
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
        if (request.SessionId < 0 || request.Sequence < 0 || request.AckedBelow < 0)
            return RequestError.Invalid("session id, sequence and acknowledgement must not be negative");
        if (request.SessionId == 0 && (request.Sequence != 0 || request.AckedBelow != 0)) return RequestError.Invalid("a sequence number needs a session id");
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
