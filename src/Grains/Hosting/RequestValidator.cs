using System.Text;

namespace Orleans.Raft.Hosting;

/// <summary>Checks a client request against the configured limits before anything is proposed.</summary>
public static class RequestValidator
{
    /// <summary>Returns an error message, or null when the request is acceptable.</summary>
    public static string? Validate(KvRequest? request, RaftOptions options)
    {
        if (request is null) return "the request is empty";
        if (!Enum.IsDefined(request.Operation)) return $"unknown operation {(int)request.Operation}";
        if (string.IsNullOrEmpty(request.Key)) return "the key is empty";
        var keyBytes = Encoding.UTF8.GetByteCount(request.Key);
        if (keyBytes > options.MaxKeyBytes) return $"the key is {keyBytes} bytes; the limit is {options.MaxKeyBytes} bytes";
        if (request.Key.Any(char.IsControl)) return "the key contains control characters";
        switch (request.Operation)
        {
            case KvOperation.Set or KvOperation.CompareAndSet or KvOperation.Append when request.Value is null:
                return "a value is required";
            case KvOperation.Append when request.Expected is not null:
                return "Append takes no expected value";
            case KvOperation.Get or KvOperation.Delete when request.Value is not null || request.Expected is not null:
                return $"{request.Operation} takes no value";
        }
        if (request.SessionId < 0 || request.Sequence < 0 || request.AckedBelow < 0) return "session id, sequence and acknowledgement must not be negative";
        if (request.SessionId == 0 && (request.Sequence != 0 || request.AckedBelow != 0)) return "a sequence number needs a session id";
        if (request.Value is not null)
        {
            var valueBytes = Encoding.UTF8.GetByteCount(request.Value);
            if (valueBytes > options.MaxValueBytes) return $"the value is {valueBytes} bytes; the limit is {options.MaxValueBytes} bytes";
        }
        if (request.Expected is not null && Encoding.UTF8.GetByteCount(request.Expected) > options.MaxValueBytes)
        {
            return $"the expected value is over the limit of {options.MaxValueBytes} bytes";
        }
        return null;
    }
}
