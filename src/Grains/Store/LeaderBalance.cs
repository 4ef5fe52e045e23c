namespace Orleans.Raft.Store;

/// <summary>
/// The leader balancer's decision, apart from any I/O. With G groups over N nodes that can lead (live, not being
/// drained, holding a live voter), a node should lead about G/N groups; leadership moves only when one node leads more
/// than ceil(G/N) + 1 while another leads fewer than floor(G/N), so that the slack absorbs the moves elections make
/// on their own and the balancer never chases a single group back and forth. It moves one group at a time, from the
/// node that leads most to the one that leads least, and prefers a group whose preferred replica is on that node.
/// </summary>
public static class LeaderBalance
{
    /// <summary>The move to make now, or null: nothing to even out, or a group has no leader (an election is under way).</summary>
    public static LeaderMove? Choose(IReadOnlyList<GroupLeadership> groups, IEnumerable<string> liveNodes, IReadOnlySet<string> draining)
    {
        if (groups.Count == 0 || groups.Any(g => g.Leader is null)) return null;
        var eligible = liveNodes.Where(n => !draining.Contains(n) && groups.Any(g => g.LiveVoters.Any(v => v.Node == n)))
            .Distinct(StringComparer.Ordinal).ToArray();
        if (eligible.Length < 2) return null;
        var (high, low) = Bounds(groups.Count, eligible.Length);
        var counts = eligible.ToDictionary(n => n, n => groups.Count(g => g.LeaderNode == n), StringComparer.Ordinal);
        var over = counts.Where(c => c.Value > high).OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal);
        var under = counts.Where(c => c.Value < low).OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToArray();
        foreach (var from in over)
        {
            foreach (var to in under)
            {
                var group = groups
                    .Where(g => !g.Busy && g.LeaderNode == from.Key && g.LiveVoters.Any(v => v.Node == to.Key))
                    .OrderByDescending(g => g.PreferredNode == to.Key)
                    .ThenBy(g => g.Group, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (group is null) continue;
                var target = group.LiveVoters.First(v => v.Node == to.Key).Replica;
                return new LeaderMove(group.Group, group.Leader!, from.Key, from.Value, target, to.Key, to.Value, high, low);
            }
        }
        return null;
    }

    /// <summary>The most groups a node should lead, ceil(G/N) + 1, and the fewest, floor(G/N).</summary>
    public static (int High, int Low) Bounds(int groups, int nodes) => ((groups + nodes - 1) / nodes + 1, groups / nodes);
}
