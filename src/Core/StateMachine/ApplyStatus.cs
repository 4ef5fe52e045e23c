using System.Text;

namespace Orleans.Raft.StateMachine;

public enum ApplyStatus : byte
{
    Ok,
    NotFound,
    CompareFailed,

    /// <summary>The request's session is unknown or expired, or the client had already acknowledged its result: nothing was applied.</summary>
    SessionExpired,

    /// <summary>The lease named does not exist (never granted, revoked or expired): nothing was applied.</summary>
    LeaseNotFound,
}
