using Orleans.Concurrency;

namespace Orleans.Raft;

/// <summary>
/// The client's entry point to a group (keyed by group name): finds the leader and forwards to it. Keyed by the name of
/// a store split over several groups (Raft:Groups), it routes each key request to the key's group (see
/// <see cref="ShardMap"/>), so a client never needs to know about groups; requests that belong to one group (client
/// sessions, <see cref="ExecuteVia"/>, elections) must then name that group instead.
/// </summary>
public interface IKeyValueGatewayGrain : IGrainWithStringKey
{
    Task<KvResponse> Execute(KvRequest request);

    /// <summary>
    /// The changes to the keys in [key, rangeEnd) (rangeEnd null: the key alone) from fromRevision on (0: from now), in
    /// revision order, each once: when the replica serving it stops or its silo dies, the watch goes on at another one
    /// from the revision of the last it sent (skipping the changes of it already sent). A revision older than the history kept ends it with a Compacted item.
    /// In a store of several groups, the keys must be in one group: a key, or a prefix that holds a hash tag.
    /// </summary>
    IAsyncEnumerable<KvWatchEvent> Watch(string key, string? rangeEnd, long fromRevision, bool prevKv, CancellationToken cancellationToken = default);

    Task<KvResponse> Get(string key);

    Task<KvResponse> Set(string key, string value);

    Task<KvResponse> Delete(string key);

    Task<KvResponse> CompareAndSet(string key, string? expected, string value);

    Task<KvResponse> Append(string key, string suffix);

    /// <summary>
    /// Opens a client session for a client that numbers and retries its own writes (KvRequest.SessionId and
    /// Sequence): on success the response's Index is the session id. Writes without a session use the gateway's own.
    /// </summary>
    /// <remarks>A session belongs to one group: on a store of several groups, open it at <see cref="GroupOf"/>'s group.</remarks>
    Task<KvResponse> OpenSession();

    /// <summary>Runs a request through one named replica, which forwards it to the leader.</summary>
    Task<KvResponse> ExecuteVia(string replica, KvRequest request);

    Task<ReplicaStatus[]> GetStatus();

    /// <summary>Starts an election on the named replica.</summary>
    Task StartElection(string replica);

    /// <summary>
    /// Hands leadership to the named voter gracefully: the leader brings it up to date, then tells it to campaign.
    /// Throws <see cref="InvalidOperationException"/> with the reason when refused or not done in time. When the old
    /// leader gave up without hearing whether the voter won, the replicas are asked for up to one more election timeout.
    /// </summary>
    Task TransferLeadership(string replica);

    /// <summary>How the store named by this key splits its keys; a group that is no store's answers a map of itself alone.</summary>
    Task<ShardMap> GetShardMap();

    /// <summary>The group that holds <paramref name="key"/>: where a client-numbered session for it must be opened.</summary>
    Task<string> GroupOf(string key);

    /// <summary>Every group of the store named by this key (or this group alone), summed up.</summary>
    Task<GroupSummary[]> GetGroups();
}
