using Orleans.Concurrency;

namespace Orleans.Raft;

/// <summary>The members of each group, so a gateway can find them.</summary>
public interface IRaftGroupDirectoryGrain : IGrainWithStringKey
{
    Task Register(string[] members);

    Task<string[]> GetMembers();
}
