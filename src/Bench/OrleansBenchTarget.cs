using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>An Orleans.Raft store reached through its gateway grain (the store's name), as the client CLI reaches it.</summary>
internal sealed class OrleansBenchTarget(IClusterClient client, string store) : IBenchTarget
{
    private readonly IKeyValueGatewayGrain _gateway = client.GetGrain<IKeyValueGatewayGrain>(store);

    public Task<KvOutcome> SetAsync(int client, string key, string value, CancellationToken cancellation) =>
        ExecuteAsync(KvRequest.Set(key, value));

    public Task<KvOutcome> GetAsync(int client, string key, bool serializable, CancellationToken cancellation) =>
        ExecuteAsync(KvRequest.Get(key) with { Consistency = serializable ? ReadConsistency.Serializable : ReadConsistency.Linearizable });

    public Task<KvOutcome> CompareAndSetAsync(int client, string key, string? expected, string value, CancellationToken cancellation) =>
        ExecuteAsync(KvRequest.CompareAndSet(key, expected, value));

    public async Task<GroupLeader[]> LeadershipAsync(CancellationToken cancellation)
    {
        var groups = await _gateway.GetGroups().WaitAsync(TimeSpan.FromSeconds(10), cancellation);
        return [.. groups.Select(g => new GroupLeader(g.Group, g.Term ?? 0, g.Leader))];
    }

    private async Task<KvOutcome> ExecuteAsync(KvRequest request)
    {
        try
        {
            var response = await _gateway.Execute(request);
            return response.Status switch
            {
                KvStatus.Ok => KvOutcome.Done,
                KvStatus.NotFound when request.Operation == KvOperation.Get => KvOutcome.Done,
                KvStatus.CompareFailed => KvOutcome.CompareFailed(response.Value),
                _ => KvOutcome.Failed($"{response.Status}: {response.Error}"),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return KvOutcome.Failed($"{ex.GetType().Name}: {ClusterConnection.Describe(ex)}");
        }
    }
}
