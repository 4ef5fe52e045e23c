namespace Orleans.Raft.Silo;

/// <summary>The silo host's log messages, source-generated; event ids 1000-1099.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Silo {Instance}: silo port {SiloPort}, gateway port {GatewayPort}, dashboard {Urls}, Raft console {ConsoleUrls}/raft{Token}")]
    public static partial void SiloStarted(this ILogger logger, int instance, int siloPort, int gatewayPort, string urls, string consoleUrls, string token);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Node {Node}, in a cluster of {InitialNodes}; storage: {Storage}; fault injection: {FaultInjection} ({Key})")]
    public static partial void SiloConfiguration(this ILogger logger, string node, string initialNodes, string storage, string faultInjection, string key);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "Clustering: Development, for silos on one machine only. The membership table and the reminders live in " +
        "instance 0 (silo port {PrimarySiloPort}): it is a single point of failure, and when it dies the cluster stops. " +
        "For a cluster that survives any one silo, use --cluster Redis --cluster-connection HOST:PORT")]
    public static partial void DevelopmentClustering(this ILogger logger, int primarySiloPort);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information,
        Message = "Clustering: Redis at {Servers} (membership and reminders), cluster {ClusterId}; this silo is {Address}, " +
        "silo port {SiloPort}, gateway port {GatewayPort}")]
    public static partial void RedisClustering(this ILogger logger, string servers, string clusterId, string address, int siloPort, int gatewayPort);

    // Access tokens: 1060-1069

    [LoggerMessage(EventId = 1060, Level = LogLevel.Warning,
        Message = "Refused {Method} {Path} from {Client}: {Reason} (failure {Failures} of {Limit} allowed per {Window})")]
    public static partial void AccessRefused(this ILogger logger, string method, string path, string client, string reason, int failures, int limit, TimeSpan window);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Warning,
        Message = "{Client} presented {Limit} wrong or missing access tokens within {Window}: its requests are refused (429) until the window ends; no further failures from it are logged meanwhile")]
    public static partial void AccessLockedOut(this ILogger logger, string client, int limit, TimeSpan window);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Information,
        Message = "Refused {Method} {Path} from {Client}: the read-only token allows reads and watches only")]
    public static partial void ReadOnlyTokenRefused(this ILogger logger, string method, string path, string client);
}
