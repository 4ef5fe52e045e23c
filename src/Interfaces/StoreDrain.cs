using Orleans.Raft.Hosting;

namespace Orleans.Raft;

/// <summary>
/// Drains a node of every group of a store that has a replica on it, one group at a time: what 'node drain' without
/// --group and POST /api/nodes/{node}/drain run. Each group's drain is that group's membership operation; a group that
/// refuses is reported and the others go on.
/// </summary>
public static class StoreDrain
{
    /// <summary>Drains <paramref name="node"/>; <paramref name="progress"/> hears of each group as it is done.</summary>
    public static async Task<GroupDrain[]> RunAsync(IGrainFactory grains, string store, string node, Func<GroupDrain, Task>? progress = null)
    {
        var gateway = grains.GetGrain<IKeyValueGatewayGrain>(store);
        var shards = await gateway.GetShardMap();
        string[] groups;
        if (shards.Count == 1)
        {
            // One group: its own drain, with its own words when nothing is on the node.
            groups = [shards.Store];
        }
        else
        {
            var summaries = await gateway.GetGroups();
            groups = [.. summaries.Where(g => g.Members.Any(m => ReplicaKey.SplitMember(m).Node == node)).Select(g => g.Group)];
        }

        var balancer = grains.GetGrain<IRaftStoreGrain>(store);
        var results = new List<GroupDrain>();
        try
        {
            foreach (var group in groups)
            {
                if (shards.Count > 1) await balancer.SetDraining(node, true);
                GroupDrain result;
                try
                {
                    result = new GroupDrain(group, await grains.GetGrain<IRaftMembershipGrain>(group).DrainNode(node), null);
                }
                catch (InvalidOperationException ex)
                {
                    result = new GroupDrain(group, null, ex.Message);
                }
                catch (TimeoutException ex)
                {
                    // The call gave up waiting, not the drain: it may still be moving that group's replicas.
                    result = new GroupDrain(group, null, $"no answer in time ({ex.Message}); the drain of {group} may still be under way: check it with 'member list --group {group}'");
                }
                results.Add(result);
                if (progress is not null) await progress(result);
            }
        }
        finally
        {
            if (shards.Count > 1) await balancer.SetDraining(node, false);
        }
        return [.. results];
    }

    /// <summary>The line for a drain that found nothing to do on a store of several groups.</summary>
    public static string NothingOn(string store, string node) => $"node {node} holds no replica of any group of store '{store}'";
}
