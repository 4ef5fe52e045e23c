using Microsoft.Extensions.Logging;

namespace Orleans.Raft.Hosting;

/// <summary>The log messages of a store split over groups: its layout, leader balancing and drains; event ids 2100-2119.</summary>
internal static partial class StoreLogMessages
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Store {Store}: {Groups} group(s) of {ReplicationFactor} replicas over nodes {Nodes}; this node holds replicas of {Local} of them")]
    public static partial void StoreLayout(this ILogger logger, string store, int groups, int replicationFactor, string nodes, int local);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information,
        Message = "Raft group {Group}: {Leader} leads; handing leadership to its preferred replica {Preferred} on this node")]
    public static partial void PreferredLeaderTransfer(this ILogger logger, string group, string leader, string preferred);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning,
        Message = "Raft group {Group}: could not hand leadership to its preferred replica {Preferred}; the leader balancer evens leaders out later")]
    public static partial void PreferredLeaderFailed(this ILogger logger, Exception exception, string group, string preferred);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information,
        Message = "Store {Store}: node {From} leads {FromCount} groups and node {To} {ToCount} (wanted: at most {High}, at least {Low}); moving the leadership of {Group} from {Leader} to {Target}")]
    public static partial void BalancingLeader(this ILogger logger, string store, string from, int fromCount, string to, int toCount, int high, int low, string group, string leader, string target);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Store {Store}: {Outcome}")]
    public static partial void BalancedLeader(this ILogger logger, string store, string outcome);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Store {Store}: moving the leadership of {Group} to {Target} failed; trying again later")]
    public static partial void BalancingFailed(this ILogger logger, Exception exception, string store, string group, string target);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "Store {Store}: leaders left as they are: {Reason}")]
    public static partial void BalancingSkipped(this ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Information, Message = "Store {Store}: balancing leaders every {Interval} from silo {Silo}")]
    public static partial void BalancerActivated(this ILogger logger, string store, TimeSpan interval, string silo);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Information, Message = "Store {Store}: node {Node} is {State}")]
    public static partial void NodeDraining(this ILogger logger, string store, string node, string state);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Debug, Message = "Store {Store}: could not read the status of group {Group}")]
    public static partial void GroupStatusFailed(this ILogger logger, Exception exception, string store, string group);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Store {Store}: could not start the leader balancer yet; retrying")]
    public static partial void BalancerNotStarted(this ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Store {Store}: could not check this node's number of groups against the other nodes' (attempt {Attempt}); asking again")]
    public static partial void GroupsNotChecked(this ILogger logger, Exception exception, string store, int attempt);
}
