using Orleans.Raft.Hosting;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Test helpers for one Raft group in a cluster. Waits poll real state, bounded by a generous deadline. Members are
/// replica names, or "name@node" for replicas pinned to nodes; replicas are named by name alone.
/// </summary>
public sealed class RaftGroup(IGrainFactory grains, string name, string[] members)
{
    private static int _counter;

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public string Name => name;

    public string[] Members => [.. members.Select(ReplicaKey.NameOf)];

    public IKeyValueGatewayGrain Gateway => grains.GetGrain<IKeyValueGatewayGrain>(name);

    public static Task<RaftGroup> StartAsync(IGrainFactory grains, int size = 5, string prefix = "g") =>
        StartAsync(grains, [.. Enumerable.Range(1, size).Select(i => $"r{i}")], prefix);

    public static async Task<RaftGroup> StartAsync(IGrainFactory grains, string[] members, string prefix = "g")
    {
        var name = $"{prefix}{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..24];
        await RaftGroupBootstrapper.StartGroupAsync(grains, name, members);
        return new RaftGroup(grains, name, members);
    }

    public IRaftReplicaGrain Replica(string replica) =>
        grains.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(name, ReplicaKey.FindMember(members, replica) ?? replica));

    /// <summary>Every replica's status; one that cannot be reached (its silo just died) shows as not running.</summary>
    public async Task<ReplicaStatus[]> StatusAsync() => await Task.WhenAll(members.Select(async m =>
    {
        try
        {
            return await grains.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(name, m)).GetStatus().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ReplicaStatus { Group = name, Replica = ReplicaKey.NameOf(m), Node = ReplicaKey.SplitMember(m).Node, Error = ex.Message };
        }
    }));

    /// <summary>Waits for one leader that a majority of running replicas follow, and returns its status.</summary>
    public Task<ReplicaStatus> WaitForLeaderAsync(Func<ReplicaStatus, bool>? where = null) =>
        WaitForAsync(async () =>
        {
            var statuses = await StatusAsync();
            var leaders = statuses.Where(s => s.Role == ReplicaRole.Leader).ToArray();
            var top = leaders.OrderByDescending(l => l.CurrentTerm).FirstOrDefault();
            if (top is null || (where is not null && !where(top))) return null;
            var followers = statuses.Count(s => s.Running && s.CurrentTerm == top.CurrentTerm && s.LeaderId == top.Replica);
            return followers > members.Length / 2 ? top : null;
        }, "a leader followed by a majority");

    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await probe();
            if (result is not null) return result;
            if (cts.IsCancellationRequested) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until every running replica has applied the same index, at least minIndex.</summary>
    public Task<ReplicaStatus[]> WaitForConvergenceAsync(long minIndex = 1, IEnumerable<string>? only = null) =>
        WaitForAsync(async () =>
        {
            var wanted = (only ?? Members).ToHashSet();
            var statuses = (await StatusAsync()).Where(s => wanted.Contains(s.Replica)).ToArray();
            var applied = statuses.Select(s => s.LastApplied).Distinct().ToArray();
            return statuses.All(s => s.Running) && applied.Length == 1 && applied[0] >= minIndex ? statuses : null;
        }, "all replicas to apply the same entries");
}
