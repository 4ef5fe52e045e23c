namespace Orleans.Raft;

/// <summary>How a request ended. Only Timeout and Unavailable leave a write's outcome unknown.</summary>
/// <remarks>Append new members at the end: the wire format carries the number.</remarks>
[GenerateSerializer]
public enum KvStatus
{
    /// <summary>Done: for a get, Value holds the value.</summary>
    Ok,

    /// <summary>The key does not exist.</summary>
    NotFound,

    /// <summary>
    /// A compare-and-set found another value (in Value; null if the key was absent) and wrote nothing. A retry of it
    /// reports the value found the first time, unless that was too long to remember: then Value is null and Error
    /// says so.
    /// </summary>
    CompareFailed,

    /// <summary>This replica does not lead; LeaderHint names the leader it knows, if any.</summary>
    NotLeader,

    /// <summary>No result within the request timeout: a write may or may not have been applied.</summary>
    Timeout,

    /// <summary>The request is malformed: empty or oversized key, oversized value, unknown replica.</summary>
    InvalidRequest,

    /// <summary>The replica is not running (never started, or stopped).</summary>
    Unavailable,

    /// <summary>The leader's uncommitted backlog is at its bound: the write was not applied; retry later.</summary>
    Overloaded,
    /// <summary>
    /// The request's client session is unknown or expired (or its result was already acknowledged): nothing was
    /// applied. Open a new session; the request may have been applied before, under the old one.
    /// </summary>
    SessionExpired,

    /// <summary>A membership change or leadership transfer was refused: Error says why. Nothing was changed.</summary>
    Refused,

    /// <summary>The lease named does not exist: never granted, revoked, or expired. Nothing was changed.</summary>
    LeaseNotFound,

    /// <summary>A watch asked for a revision older than the history kept: Revision + 1 is the oldest one to resume from.</summary>
    Compacted,
}
