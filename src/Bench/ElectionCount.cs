namespace Orleans.Raft.Bench;

/// <summary>
/// The elections seen in successive samples of the groups' leadership: how far each group's term rose (every
/// election that got as far as a vote raises it, won or not), and how often its known leader was another replica than
/// the one known before. A sample in which a group has no known leader does not end a leadership by itself.
/// </summary>
internal sealed record ElectionCount(long TermChanges, int LeaderChanges)
{
    public static ElectionCount Of(IEnumerable<GroupLeader[]> samples)
    {
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        var highest = new Dictionary<string, long>(StringComparer.Ordinal);
        var leader = new Dictionary<string, string>(StringComparer.Ordinal);
        var changes = 0;
        foreach (var sample in samples)
        {
            foreach (var g in sample)
            {
                first.TryAdd(g.Group, g.Term);
                highest[g.Group] = Math.Max(highest.GetValueOrDefault(g.Group, g.Term), g.Term);
                if (g.Leader is null) continue;
                if (leader.TryGetValue(g.Group, out var known) && known != g.Leader) changes++;
                leader[g.Group] = g.Leader;
            }
        }
        return new ElectionCount(highest.Sum(h => h.Value - first[h.Key]), changes);
    }
}
