using Microsoft.Extensions.Logging;

namespace Orleans.Raft.Hosting;

// Coalescing and quiescence: 2120-2129.
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 2120, Level = LogLevel.Debug, Message = "coalesced send of {Count} messages to node {Node} failed")]
    public static partial void CoalescedSendFailed(this ILogger logger, Exception exception, string node, int count);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Debug, Message = "{Group}: replica {Replica} quiesced ({Role}, commit {Commit})")]
    public static partial void ReplicaQuiesced(this ILogger logger, string group, string replica, string role, long commit);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Debug, Message = "{Group}: replica {Replica} woke: {Reason}")]
    public static partial void ReplicaWoke(this ILogger logger, string group, string replica, string reason);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Information, Message = "node {Node} is down: waking {Count} quiesced replicas with a member on it")]
    public static partial void WakingForDeadNode(this ILogger logger, string node, int count);

    [LoggerMessage(EventId = 2124, Level = LogLevel.Debug, Message = "faults changed in group {Group}: waking its {Count} quiesced replicas on this silo")]
    public static partial void WakingForFaults(this ILogger logger, string group, int count);

    [LoggerMessage(EventId = 2125, Level = LogLevel.Warning, Message = "the quiescence watch stopped following the cluster membership; quiesced replicas wake only on messages and requests")]
    public static partial void QuiescenceWatchFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2126, Level = LogLevel.Debug, Message = "could not wake quiesced replica {Replica}")]
    public static partial void WakeFailed(this ILogger logger, Exception exception, string replica);

    [LoggerMessage(EventId = 2127, Level = LogLevel.Debug, Message = "could not reactivate replica {Replica}")]
    public static partial void ReactivationFailed(this ILogger logger, Exception exception, string replica);

    [LoggerMessage(EventId = 2128, Level = LogLevel.Debug, Message = "could not register the configuration of group {Group} again")]
    public static partial void DirectoryRegistrationFailed(this ILogger logger, Exception exception, string group);

    [LoggerMessage(EventId = 2129, Level = LogLevel.Warning, Message = "the replicas' keep-alive stopped following the cluster membership; group directories are refilled only as replicas change")]
    public static partial void KeepAliveWatchFailed(this ILogger logger, Exception exception);
}
