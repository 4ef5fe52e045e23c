using Microsoft.Extensions.Logging;

namespace Orleans.Raft.Hosting;

// Leases and watches: 2140-2149.
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2140, Level = LogLevel.Information, Message = "{Group}/{Replica}: lease {Lease} expired (TTL {Ttl}); revoking it")]
    public static partial void LeaseExpiring(this ILogger logger, string group, string replica, long lease, TimeSpan ttl);
}
