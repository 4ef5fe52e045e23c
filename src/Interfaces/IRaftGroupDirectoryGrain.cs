using Orleans.Concurrency;

namespace Orleans.Raft;

/// <summary>The members of each group, so a gateway can find them.</summary>
public interface IRaftGroupDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Registers members from stored or configured state; a configuration registered from a running replica wins over it.</summary>
    Task Register(string[] members);

    /// <summary>Registers a running replica's configuration; the one with the highest commit index wins, so a stale replica cannot undo a change.</summary>
    Task RegisterConfiguration(string[] members, long commitIndex);

    Task<string[]> GetMembers();
}
