using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// /readyz: ready when every replica this node holds runs, is a voter (not a learner still catching up) and has applied
/// to within <see cref="WebOptions.ReadyMaxLag"/> entries of its leader's commit index, and every group it holds a
/// replica of has a leader. A node that holds no replica (a silo that only serves clients) is ready once its silo runs.
/// </summary>
public sealed class ReplicasReadyCheck(IGrainFactory grains, RaftGroupLayout layout, IOptions<WebOptions> web, IOptions<RaftOptions> raft) : IHealthCheck
{
    public const string Name = "replicas";
    public const string ReadyTag = "ready";

    /// <summary>The key of the reasons in the result's data, and so in the JSON body.</summary>
    public const string ReasonsKey = "reasons";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ReplicaStatus[] all;
        try
        {
            // The gateway gives a silent replica the request timeout; a second more, so one dead node's replica does not
            // make this node unready, while a gateway that does not answer at all does.
            all = await grains.GetGrain<IKeyValueGatewayGrain>(layout.Store).GetStatus().WaitAsync(raft.Value.RequestTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return NotReady([$"the replicas' status could not be read: {ex.Message}"]);
        }

        var node = layout.LocalNode;
        var reasons = new List<string>();
        var mine = all.Where(s => node is not null && s.Node == node).ToArray();
        foreach (var group in mine.GroupBy(s => s.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var summary = GroupSummary.From(group.Key, [.. all.Where(s => s.Group == group.Key)]);
            if (summary.Leader is null) reasons.Add($"group {group.Key}: no leader is known");
            foreach (var replica in group.OrderBy(s => s.Replica, StringComparer.Ordinal))
            {
                var name = $"{group.Key}/{replica.Replica}";
                if (!replica.IsLive)
                    reasons.Add(replica.Error is null ? $"{name} is not running" : $"{name} does not answer: {replica.Error}");
                else if (replica.Membership == MemberRole.Learner)
                    reasons.Add($"{name} is a learner, still catching up");
                else if (summary.CommitIndex is { } commit && commit - replica.LastApplied > web.Value.ReadyMaxLag)
                    reasons.Add($"{name} has applied {replica.LastApplied} of the leader's {commit} committed entries (ready within {web.Value.ReadyMaxLag})");
            }
        }
        var data = new Dictionary<string, object>
        {
            ["node"] = node ?? "",
            ["replicas"] = mine.Length,
            [ReasonsKey] = reasons.ToArray(),
        };
        return reasons.Count == 0
            ? HealthCheckResult.Healthy($"{mine.Length} replicas on node {node} are running and caught up, and their groups have leaders", data)
            : NotReady(reasons, data);
    }

    private static HealthCheckResult NotReady(IReadOnlyList<string> reasons, Dictionary<string, object>? data = null)
    {
        data ??= new Dictionary<string, object> { [ReasonsKey] = reasons.ToArray() };
        return HealthCheckResult.Unhealthy(string.Join("; ", reasons), data: data);
    }
}
