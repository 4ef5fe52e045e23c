namespace Orleans.Raft;

[GenerateSerializer]
public enum KvOperation
{
    Get,
    Set,
    Delete,
    CompareAndSet,

    /// <summary>Appends Value to the key's value, creating the key if absent. Not idempotent: a retry must not apply twice.</summary>
    Append,

    /// <summary>The keys in [Key, RangeEnd), at most Limit (0: all), values left out with KeysOnly.</summary>
    Range,

    /// <summary>A transaction (<see cref="KvRequest.Txn"/>), applied atomically in one group.</summary>
    Txn,

    /// <summary>Grants a lease of <see cref="KvRequest.Ttl"/>; the answer's Lease is its id.</summary>
    LeaseGrant,

    /// <summary>Revokes lease <see cref="KvRequest.Lease"/> and deletes its keys.</summary>
    LeaseRevoke,

    /// <summary>Renews lease <see cref="KvRequest.Lease"/> for its whole time to live, at the leader.</summary>
    LeaseKeepAlive,

    /// <summary>Lease <see cref="KvRequest.Lease"/>: its time to live, what is left of it, and its keys.</summary>
    LeaseTimeToLive,

    /// <summary>Every lease of the group.</summary>
    LeaseList,
}
