namespace Orleans.Raft.Gateway;

/// <summary>
/// Remembers each group's members. Replicas register their configuration when they start, whenever it changes, and on
/// every keep-alive reminder (or, for replicas pinned to nodes, each node's <see cref="Replica.ReplicaKeepAlive"/> does
/// when a silo dies), so the directory refills itself if its silo dies. It is never collected while idle: an idle
/// group's replicas may register nothing for a long time. The registration with the highest
/// commit index wins: a configuration is in force only once committed, so a replica that missed a change has a
/// lower commit index than any that applied it.
/// </summary>
public sealed class RaftGroupDirectoryGrain : Grain, IRaftGroupDirectoryGrain
{
    private string[] _members = [];
    private long _commitIndex = -1; // -1: from stored or configured members, not yet from a running replica

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task Register(string[] members)
    {
        if (members.Length > 0 && _commitIndex < 0) _members = [.. members.Order(StringComparer.Ordinal)];
        return Task.CompletedTask;
    }

    public Task RegisterConfiguration(string[] members, long commitIndex)
    {
        if (members.Length > 0 && commitIndex >= _commitIndex)
        {
            _members = [.. members.Order(StringComparer.Ordinal)];
            _commitIndex = commitIndex;
        }
        return Task.CompletedTask;
    }

    public Task<string[]> GetMembers() => Task.FromResult(_members);
}
