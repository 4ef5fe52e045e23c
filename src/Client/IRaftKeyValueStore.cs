namespace Orleans.Raft.Client;

/// <summary>
/// An Orleans.Raft store, as an Orleans application uses it: from a client (<c>IClusterClient</c>) or from inside a
/// grain (<c>IGrainFactory</c>). Every call goes through the store's gateway grain, which finds the leader and retries
/// through elections within the store's request timeout. Reads are linearizable unless asked otherwise.
/// </summary>
/// <remarks>
/// Failures are typed: <see cref="RaftUnavailableException"/> (no leader in time; a write's outcome is then unknown),
/// <see cref="RaftInvalidRequestException"/>, <see cref="RaftOverloadedException"/> (not applied; retry later),
/// <see cref="RaftLeaseNotFoundException"/>, <see cref="RaftCompactedException"/>, <see cref="RaftSessionExpiredException"/>
/// and <see cref="RaftRefusedException"/>, all <see cref="RaftKeyValueException"/>. Cancelling a call stops the wait for
/// its answer; a write already sent may still apply.
/// </remarks>
public interface IRaftKeyValueStore
{
    /// <summary>The store's name (the silos' Raft:Group).</summary>
    string Store { get; }

    /// <summary>The key with its revisions, version and lease, or null when it does not exist.</summary>
    Task<KvEntry?> GetAsync(string key, ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default);

    /// <summary>The keys in [key, rangeEnd) in ordinal order (see <see cref="KeyRange"/>); at most limit (0: all).</summary>
    Task<KvRange> RangeAsync(string key, string? rangeEnd, long limit = 0, bool keysOnly = false,
        ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default);

    /// <summary>Every key that starts with prefix, in ordinal order; at most limit (0: all).</summary>
    Task<KvRange> GetPrefixAsync(string prefix, long limit = 0, bool keysOnly = false,
        ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default);

    /// <summary>Sets the key, attached to lease (0: to none); returns the key as written, with its new revision.</summary>
    Task<KvEntry> PutAsync(string key, string value, long lease = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends suffix to the key's value (to an empty one if it does not exist), atomically; returns the key as written.
    /// The value itself is not sent back: read the key for it.
    /// </summary>
    Task<KvEntry> AppendAsync(string key, string suffix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the key; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Sets the key if it holds expected (null: if it does not exist). The result says whether, and what it found.</summary>
    Task<KvCompareResult> CompareAndSetAsync(string key, string? expected, string value, long lease = 0, CancellationToken cancellationToken = default);

    /// <summary>Sets the key if its mod revision is expectedModRevision (0: if it does not exist).</summary>
    Task<KvCompareResult> CompareAndSetRevisionAsync(string key, long expectedModRevision, string value, long lease = 0, CancellationToken cancellationToken = default);

    /// <summary>etcd's If/Then/Else, atomically, in the group of its keys (they must all be in one; see the README's hash tags).</summary>
    Task<KvTxnResult> TxnAsync(KvTxn txn, CancellationToken cancellationToken = default);

    /// <summary>Grants a lease of ttl (1 s to 30 days); in a store of several groups, in the group of groupKey (default: the first).</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, string? groupKey = null, CancellationToken cancellationToken = default);

    /// <summary>Renews the lease for its whole TTL; returns it as the leader now times it.</summary>
    Task<KvLease> KeepAliveAsync(long lease, CancellationToken cancellationToken = default);

    /// <summary>Revokes the lease and deletes its keys.</summary>
    Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default);

    /// <summary>The lease, its remaining time at the leader, and its keys.</summary>
    Task<KvLease> GetLeaseAsync(long lease, CancellationToken cancellationToken = default);

    /// <summary>Every lease of the store.</summary>
    Task<IReadOnlyList<KvLease>> ListLeasesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The changes to the keys in [key, rangeEnd) (null: the key alone) from fromRevision on (0: from now), each once, in
    /// revision order; it survives replica and silo failures by resuming after the last change it gave. A revision older
    /// than the history kept throws <see cref="RaftCompactedException"/>, which names the oldest one to resume from.
    /// </summary>
    IAsyncEnumerable<KvWatchEvent> WatchAsync(string key, string? rangeEnd = null, long fromRevision = 0, bool prevKv = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the named lock, waiting for it, as etcd's concurrency.Mutex: the holder is the waiter whose key is oldest.
    /// The lock holds a lease of ttl that it keeps alive; if the lease is lost (the holder was cut off past its TTL), the
    /// lock's Lost token fires. Its Token (the revision that created its key) rises with each holder: give it to the
    /// resources the lock guards, so they can refuse an older holder's late writes.
    /// </summary>
    Task<RaftLock> LockAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Campaigns in the named election with value, and returns once elected (etcd's concurrency.Election).</summary>
    Task<RaftLeadership> CampaignAsync(string election, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>The election's current leader (its key, value and revision), or null when no one leads.</summary>
    Task<KvEntry?> GetLeaderAsync(string election, CancellationToken cancellationToken = default);
}
