using System.Text;

namespace Orleans.Raft.StateMachine;

public enum CommandOperation : byte
{
    Get = 1,
    Set = 2,
    Delete = 3,
    CompareAndSet = 4,

    /// <summary>Opens a client session; its id is the index of this entry.</summary>
    RegisterSession = 5,

    /// <summary>Closes the session in ClientId: the leader proposes it for sessions idle longer than the session timeout.</summary>
    ExpireSession = 6,

    /// <summary>Appends Value to the key's value (creating it if absent): not idempotent.</summary>
    Append = 7,

    /// <summary>A transaction (<see cref="Command.Txn"/>): If/Then/Else over the group's keys, at one revision.</summary>
    Txn = 8,

    /// <summary>Grants a lease of <see cref="Command.Number"/> milliseconds; its id is the index of this entry.</summary>
    LeaseGrant = 9,

    /// <summary>Revokes lease <see cref="Command.Number"/> and deletes its keys: a client's revoke, or the leader's expiry.</summary>
    LeaseRevoke = 10,
}
