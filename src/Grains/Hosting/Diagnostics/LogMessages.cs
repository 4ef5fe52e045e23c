using Microsoft.Extensions.Logging;

namespace Orleans.Raft.Hosting;

/// <summary>
/// The grains' log messages, source-generated; event ids 2000-2099: hosting 2000-2009, replica 2010-2039,
/// gateway 2040-2049, faults 2050-2059, membership 2060-2079,
/// removed replicas 2080-2089, reads without the log 2130-2139.
/// </summary>
internal static partial class LogMessages
{
    // Hosting: 2000-2009

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error,
        Message = "Raft group {Group}: replica {Replica} has no stored state on the silo it was activated on, but its group exists. " +
        "It stays down rather than start with amnesia. Its storage is not visible from this silo: pin each replica " +
        "to the node that holds its disk (Node:Name, Cluster:InitialNodes).")]
    public static partial void ReplicaHasNoStoredState(this ILogger logger, string group, string replica);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Raft group {Group} started with replicas {Replicas}")]
    public static partial void GroupStarted(this ILogger logger, string group, string replicas);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Raft group {Group}: replica {Replica} started from this node's disk")]
    public static partial void StoredReplicaStarted(this ILogger logger, string group, string replica);

    [LoggerMessage(EventId = 2142, Level = LogLevel.Information,
        Message = "Raft group {Group}: replica {Replica} was retired (removed from its group) while this node started it from its disk; nothing is left to start")]
    public static partial void StoredReplicaRetiredBeforeStart(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "Raft group {Group}: this disk holds replica {Replica}, which does not belong to node {Node}; it is left alone")]
    public static partial void StoredReplicaOfAnotherNode(this ILogger logger, string group, string replica, string node);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error,
        Message = "Raft group {Group}: replica {Replica} has no state on node {Node}'s disk, but the group exists (replica {Peer} has made progress). " +
        "It stays down rather than start with amnesia. Replace it with a membership change, or start this node on the data directory it had.")]
    public static partial void ReplicaWouldHaveAmnesia(this ILogger logger, string group, string replica, string node, string peer);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information,
        Message = "Raft group {Group}: waiting for replicas {Replicas} on other nodes to answer before creating this node's replicas")]
    public static partial void WaitingForPeersToCreateGroup(this ILogger logger, string group, string replicas);

    // Replica: 2010-2039

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "{Group}/{Replica}: could not ask the other members whether the group is created")]
    public static partial void GroupCreatedQueryFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "{Group}/{Replica}: waits for every member of its group to be created")]
    public static partial void ReplicaWaitsForGroup(this ILogger logger, string group, string replica);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "{Group}/{Replica}: stopped")]
    public static partial void ReplicaStopped(this ILogger logger, string group, string replica);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "{Replica}: dropped a malformed message from {From}")]
    public static partial void MalformedMessageDropped(this ILogger logger, Exception exception, string replica, string from);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Debug, Message = "{Replica}: forwarding to {Leader} failed")]
    public static partial void ForwardingFailed(this ILogger logger, Exception exception, string replica, string leader);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Information,
        Message = "{Group}/{Replica}: started on {Silo} at term {Term} with {Entries} log entries (seed {Seed})")]
    public static partial void ReplicaStarted(this ILogger logger, string group, string replica, string silo, long term, int entries, int seed);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Information, Message = "{Group}/{Replica}: expiring session {Session}, idle over {Timeout}")]
    public static partial void SessionExpiring(this ILogger logger, string group, string replica, long session, TimeSpan timeout);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Warning, Message = "{Group}/{Replica}: fenced off; deactivating")]
    public static partial void ReplicaFencedOff(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Error, Message = "{Group}/{Replica}: failed; restarting from stable storage")]
    public static partial void ReplicaFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Error,
        Message = "{Group}/{Replica}: stable storage failed; the replica stays down and retries from stable storage with back-off")]
    public static partial void StableStorageFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Debug,
        Message = "{Group}/{Replica}: stable storage still failing (attempt {Attempt}); next retry in {Delay}")]
    public static partial void StableStorageStillFailing(this ILogger logger, Exception exception, string group, string replica, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "{Group}/{Replica}: stable storage works again after {Failures} failed attempts")]
    public static partial void StableStorageRecovered(this ILogger logger, string group, string replica, int failures);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "{Group}/{Replica}: installed a snapshot up to index {Index} from the leader")]
    public static partial void SnapshotInstalled(this ILogger logger, string group, string replica, long index);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Debug, Message = "{Replica}: send to {To} failed")]
    public static partial void SendFailed(this ILogger logger, Exception exception, string replica, string to);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Information, Message = "{Group}/{Replica}: elected leader for term {Term}")]
    public static partial void LeaderElected(this ILogger logger, string group, string replica, long term);

    [LoggerMessage(EventId = 2025, Level = LogLevel.Debug, Message = "{Group}/{Replica}: leader is now {Leader} (term {Term})")]
    public static partial void LeaderChanged(this ILogger logger, string group, string replica, string leader, long term);

    [LoggerMessage(EventId = 2026, Level = LogLevel.Information, Message = "{Group}/{Replica}: configuration now {Configuration} (commit {Commit})")]
    public static partial void ConfigurationChanged(this ILogger logger, string group, string replica, string configuration, long commit);

    [LoggerMessage(EventId = 2027, Level = LogLevel.Information, Message = "{Group}/{Replica}: proposed {Change} at index {Index}")]
    public static partial void ConfigChangeProposed(this ILogger logger, string group, string replica, string change, long index);

    [LoggerMessage(EventId = 2028, Level = LogLevel.Information, Message = "{Group}/{Replica}: refused {Change}: {Reason}")]
    public static partial void ConfigChangeRefused(this ILogger logger, string group, string replica, string change, string reason);

    [LoggerMessage(EventId = 2029, Level = LogLevel.Information,
        Message = "{Group}/{Replica}: promoting learner {Learner} (match index {Match}, last index {Last})")]
    public static partial void LearnerPromoting(this ILogger logger, string group, string replica, string learner, long match, long last);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "{Group}/{Replica}: joining the group (bootstrap configuration {Bootstrap}); its membership comes from the log")]
    public static partial void ReplicaJoining(this ILogger logger, string group, string replica, string bootstrap);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Information,
        Message = "{Group}/{Replica}: removed from the group at index {Index}; stopping and retiring its storage")]
    public static partial void ReplicaRemoved(this ILogger logger, string group, string replica, long index);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Information, Message = "{Group}/{Replica}: transferring leadership to {Target}")]
    public static partial void LeadershipTransferStarted(this ILogger logger, string group, string replica, string target);

    [LoggerMessage(EventId = 2033, Level = LogLevel.Information, Message = "{Group}/{Replica}: reserved replica name {Name}")]
    public static partial void ReplicaNameReserved(this ILogger logger, string group, string replica, string name);

    [LoggerMessage(EventId = 2034, Level = LogLevel.Warning, Message = "{Group}/{Replica}: retiring after removal failed")]
    public static partial void RetireAfterRemovalFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2035, Level = LogLevel.Warning, Message = "{Group}/{Replica}: node {Node} of member {Member} has no active silo (replaced after {After} dead; 0 is off)")]
    public static partial void MemberNodeDead(this ILogger logger, string group, string replica, string node, string member, TimeSpan after);

    [LoggerMessage(EventId = 2036, Level = LogLevel.Information, Message = "{Group}/{Replica}: node {Node} is back")]
    public static partial void MemberNodeBack(this ILogger logger, string group, string replica, string node);

    [LoggerMessage(EventId = 2037, Level = LogLevel.Warning, Message = "{Group}/{Replica}: node {Node} dead for {Dead}: asking for {Member} to be replaced")]
    public static partial void DeadMemberReplacing(this ILogger logger, string group, string replica, string node, string member, TimeSpan dead);

    [LoggerMessage(EventId = 2038, Level = LogLevel.Information, Message = "{Group}/{Replica}: self-repair of {Member}: {Outcome}")]
    public static partial void DeadMemberReplaced(this ILogger logger, string group, string replica, string member, string outcome);

    [LoggerMessage(EventId = 2039, Level = LogLevel.Warning, Message = "{Group}/{Replica}: self-repair of {Member} failed; trying again once its node has been dead as long again")]
    public static partial void DeadMemberReplaceFailed(this ILogger logger, Exception exception, string group, string replica, string member);

    // Gateway: 2040-2049

    [LoggerMessage(EventId = 2040, Level = LogLevel.Debug, Message = "{Group}: session {Session} expired; opening a new one")]
    public static partial void GatewaySessionExpired(this ILogger logger, string group, long session);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Debug, Message = "{Group}: request to {Replica} failed")]
    public static partial void GatewayRequestFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2042, Level = LogLevel.Debug, Message = "{Group}: replica {Replica} stopped answering; trying the others")]
    public static partial void GatewayReplicaSilent(this ILogger logger, string group, string replica);

    // Faults: 2050-2059

    [LoggerMessage(EventId = 2050, Level = LogLevel.Information, Message = "{Group}: partition {Partition} cuts off {Replicas}")]
    public static partial void PartitionSplit(this ILogger logger, string group, string partition, string replicas);

    [LoggerMessage(EventId = 2051, Level = LogLevel.Information, Message = "{Group}: partition {Partition} healed")]
    public static partial void PartitionHealed(this ILogger logger, string group, string partition);

    [LoggerMessage(EventId = 2052, Level = LogLevel.Information, Message = "{Group}: links cut between {Side} and {Other}")]
    public static partial void LinksCut(this ILogger logger, string group, string side, string other);

    [LoggerMessage(EventId = 2053, Level = LogLevel.Debug, Message = "fault push to a silo failed; dropping its subscription")]
    public static partial void FaultPushFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2054, Level = LogLevel.Debug, Message = "fault agent: subscription failed; retrying")]
    public static partial void FaultSubscriptionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2055, Level = LogLevel.Information, Message = "{Group}: links cut from {From} to {To}, one way")]
    public static partial void LinksCutOneWay(this ILogger logger, string group, string from, string to);

    // Membership: 2060-2079

    [LoggerMessage(EventId = 2060, Level = LogLevel.Information, Message = "{Group}: {Step}")]
    public static partial void MembershipStep(this ILogger logger, string group, string step);

    [LoggerMessage(EventId = 2061, Level = LogLevel.Warning, Message = "{Group}: {Operation} refused: {Reason}")]
    public static partial void MembershipRefused(this ILogger logger, string group, string operation, string reason);

    [LoggerMessage(EventId = 2062, Level = LogLevel.Warning, Message = "{Group}: could not retire removed replica {Replica}; it retires itself when it learns of its removal")]
    public static partial void RemovedReplicaNotRetired(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2063, Level = LogLevel.Debug, Message = "{Group}: leadership transfer in progress at {Replica}; retrying after a tick")]
    public static partial void GatewayWaitsForTransfer(this ILogger logger, string group, string replica);

    // Removed replicas: 2080-2089

    [LoggerMessage(EventId = 2080, Level = LogLevel.Information,
        Message = "{Group}/{Replica}: {Removed} (node {Node}) was removed from the group at index {Index}; recorded for good")]
    public static partial void RemovalRecorded(this ILogger logger, string group, string replica, string removed, string node, long index);

    [LoggerMessage(EventId = 2081, Level = LogLevel.Information,
        Message = "{Group}/{Replica}: {Removed} was removed from the group but still sends ({Message}); telling it so, and not processing it")]
    public static partial void RemovedSenderTold(this ILogger logger, string group, string replica, string removed, string message);

    [LoggerMessage(EventId = 2082, Level = LogLevel.Warning,
        Message = "{Group}/{Replica}: {By} says this replica was removed from the group; retiring (its storage on this node is deleted, and it will not start again)")]
    public static partial void RemovedNoticeReceived(this ILogger logger, string group, string replica, string by);

    [LoggerMessage(EventId = 2083, Level = LogLevel.Information, Message = "{Group}/{Replica}: retired after its removal from the group")]
    public static partial void RetiredAfterNotice(this ILogger logger, string group, string replica);

    [LoggerMessage(EventId = 2084, Level = LogLevel.Warning, Message = "{Group}/{Replica}: retiring after the removed notice from {By} failed; it retires at the next notice")]
    public static partial void RetireAfterNoticeFailed(this ILogger logger, Exception exception, string group, string replica, string by);

    [LoggerMessage(EventId = 2085, Level = LogLevel.Debug,
        Message = "{Group}/{Replica}: heard from no peer for an election timeout; asking {Peers} whether it was removed")]
    public static partial void AskingWhetherRemoved(this ILogger logger, string group, string replica, string peers);

    [LoggerMessage(EventId = 2086, Level = LogLevel.Debug, Message = "{Group}/{Replica}: ignored a removed notice for {Target} from {By}")]
    public static partial void RemovedNoticeIgnored(this ILogger logger, string group, string replica, string target, string by);

    [LoggerMessage(EventId = 2087, Level = LogLevel.Debug, Message = "{Group}/{Replica}: could not read the group's members to ask whether it was removed")]
    public static partial void RemovalCheckFailed(this ILogger logger, Exception exception, string group, string replica);

    [LoggerMessage(EventId = 2088, Level = LogLevel.Information,
        Message = "Raft group {Group}: replica {Replica} of node {Node} was removed from the group (so says {Peer}); it is not created again")]
    public static partial void OwnReplicaWasRemoved(this ILogger logger, string group, string replica, string node, string peer);

    [LoggerMessage(EventId = 2064, Level = LogLevel.Information, Message = "{Group}: {Replica} cannot tell whether {Target} won its transfer election (term {Term}); asking the replicas")]
    public static partial void GatewayChecksTransferOutcome(this ILogger logger, string group, string replica, string target, long term);

    // Reads without the log: 2130-2139

    [LoggerMessage(EventId = 2130, Level = LogLevel.Debug,
        Message = "{Group}/{Replica}: a read forwarded to leader {Leader} got no answer within an election timeout; asking again")]
    public static partial void ForwardedReadUnanswered(this ILogger logger, string group, string replica, string leader);

    // Diagnostics: 2141-2149

    [LoggerMessage(EventId = 2141, Level = LogLevel.Warning,
        Message = "{Group}/{Replica}: applying entry {Index} ({Type}, {Bytes} bytes) took {Elapsed:0.###} ms, over the slow-apply threshold of {Threshold:0.###} ms (Raft:SlowApplyThreshold)")]
    public static partial void SlowApply(this ILogger logger, string group, string replica, long index, string type, int bytes, double elapsed, double threshold);
}
