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
}
