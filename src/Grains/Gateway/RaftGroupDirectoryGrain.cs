namespace Orleans.Raft.Gateway;

/// <summary>
/// Remembers each group's members. Replicas register when they start and on every keep-alive reminder, so the
/// directory refills itself if its silo dies.
/// </summary>
public sealed class RaftGroupDirectoryGrain : Grain, IRaftGroupDirectoryGrain
{
    private string[] _members = [];

    public Task Register(string[] members)
    {
        if (members.Length > 0) _members = [.. members.Order(StringComparer.Ordinal)];
        return Task.CompletedTask;
    }

    public Task<string[]> GetMembers() => Task.FromResult(_members);
}
