using Orleans.Concurrency;

namespace Orleans.Raft.Gateway;

/// <summary>
/// Remembers each group's members. Replicas register their configuration when they start, whenever it changes, and on
/// every keep-alive reminder (or, for replicas pinned to nodes, each node's <see cref="Replica.ReplicaKeepAlive"/> does
/// when a silo dies), so the directory refills itself if its silo dies. It is never collected while idle: an idle
/// group's replicas may register nothing for a long time. The registration with the highest
/// commit index wins: a configuration is in force only once committed, so a replica that missed a change has a
/// lower commit index than any that applied it.
/// </summary>
[Reentrant] // GetMembers may wait for a registration, which must get in meanwhile
public sealed class RaftGroupDirectoryGrain(TimeProvider time) : Grain, IRaftGroupDirectoryGrain
{
    /// <summary>
    /// How long a fresh activation with nothing registered makes a caller wait for its first registration: after its
    /// silo dies, the nodes register their groups again as soon as they see the death, but a gateway may see it first
    /// and would otherwise take the still-empty directory for an unknown group.
    /// </summary>
    internal static readonly TimeSpan RefillWindow = TimeSpan.FromSeconds(2);

    private string[] _members = [];
    private long _commitIndex = -1; // -1: from stored or configured members, not yet from a running replica
    private long _activatedAt;
    private TaskCompletionSource? _firstRegistration = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        _activatedAt = time.GetTimestamp();
        return Task.CompletedTask;
    }

    public Task Register(string[] members)
    {
        if (members.Length > 0 && _commitIndex < 0) Set(members);
        return Task.CompletedTask;
    }

    public Task RegisterConfiguration(string[] members, long commitIndex)
    {
        if (members.Length > 0 && commitIndex >= _commitIndex)
        {
            Set(members);
            _commitIndex = commitIndex;
        }
        return Task.CompletedTask;
    }

    public async Task<string[]> GetMembers()
    {
        if (_members.Length == 0 && _firstRegistration is { } first)
        {
            var left = RefillWindow - time.GetElapsedTime(_activatedAt);
            if (left > TimeSpan.Zero)
            {
                try
                {
                    await first.Task.WaitAsync(left, time);
                }
                catch (TimeoutException)
                {
                    // Nothing registered in time: the group is unknown, which the caller reports.
                }
            }
            _firstRegistration = null;
        }
        return _members;
    }

    private void Set(string[] members)
    {
        _members = [.. members.Order(StringComparer.Ordinal)];
        _firstRegistration?.TrySetResult();
    }
}
