using Orleans.Raft.Store;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The leader balancer's decision: when it moves a group's leadership, and where to.</summary>
public sealed class LeaderBalanceTests
{
    private static readonly string[] Nodes = ["n1", "n2", "n3", "n4"];

    /// <summary>G groups of three replicas laid out round-robin over the four nodes, each led from <paramref name="leaderNode"/>'s choice.</summary>
    private static List<GroupLeadership> Groups(int count, Func<int, string[], string> leaderNode) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var nodes = Enumerable.Range(0, 3).Select(j => Nodes[(i + j) % Nodes.Length]).ToArray();
            var leader = leaderNode(i, nodes);
            var voters = nodes.Select((n, j) => ($"r{j + 1}", n)).ToArray();
            return new GroupLeadership($"g-{i}", voters.First(v => v.n == leader).Item1, leader, voters, nodes[0], Busy: false);
        })];

    private static readonly HashSet<string> NoneDraining = [];

    [Fact]
    public void Bounds_are_ceil_plus_one_and_floor()
    {
        Assert.Equal((3, 2), LeaderBalance.Bounds(8, 4));
        Assert.Equal((5, 4), LeaderBalance.Bounds(12, 3));
        Assert.Equal((2, 0), LeaderBalance.Bounds(1, 3));
    }

    [Fact]
    public void Leaders_forced_onto_one_node_are_moved_one_at_a_time_until_no_node_leads_more_than_ceil_plus_one()
    {
        // Every group that has a replica on n1 is led from there.
        var groups = Groups(8, (_, nodes) => nodes.Contains("n1") ? "n1" : nodes[0]);
        var moves = 0;
        while (LeaderBalance.Choose(groups, Nodes, NoneDraining) is { } move)
        {
            Assert.True(++moves <= 8, "the balancer keeps moving");
            Assert.True(move.FromCount > move.High && move.ToCount < move.Low, $"moved without cause: {move}");
            var i = groups.FindIndex(g => g.Group == move.Group);
            Assert.Equal(move.Leader, groups[i].Leader);
            Assert.Contains(groups[i].LiveVoters, v => v.Replica == move.Target && v.Node == move.To);
            groups[i] = groups[i] with { Leader = move.Target, LeaderNode = move.To };
        }
        var counts = Nodes.ToDictionary(n => n, n => groups.Count(g => g.LeaderNode == n));
        Assert.True(moves > 0);
        Assert.All(counts.Values, c => Assert.InRange(c, 0, 3));
    }

    [Fact]
    public void Balanced_leaders_stay_where_they_are()
    {
        var groups = Groups(8, (_, nodes) => nodes[0]);
        Assert.Null(LeaderBalance.Choose(groups, Nodes, NoneDraining));
    }

    [Fact]
    public void Nothing_moves_while_a_group_has_no_leader()
    {
        var groups = Groups(8, (_, nodes) => nodes.Contains("n1") ? "n1" : nodes[0]);
        Assert.NotNull(LeaderBalance.Choose(groups, Nodes, NoneDraining));
        groups[7] = groups[7] with { Leader = null, LeaderNode = null };
        Assert.Null(LeaderBalance.Choose(groups, Nodes, NoneDraining));
    }

    [Fact]
    public void A_busy_group_is_left_alone_and_a_node_being_drained_gets_no_leadership()
    {
        var groups = Groups(8, (_, nodes) => nodes.Contains("n1") ? "n1" : nodes[0]);
        var first = LeaderBalance.Choose(groups, Nodes, NoneDraining)!;
        var i = groups.FindIndex(g => g.Group == first.Group);
        groups[i] = groups[i] with { Busy = true };
        var second = LeaderBalance.Choose(groups, Nodes, NoneDraining);
        Assert.NotEqual(first.Group, second?.Group);

        var draining = new HashSet<string> { first.To };
        Assert.All(Enumerable.Range(0, 3), _ =>
        {
            var move = LeaderBalance.Choose(groups, Nodes, draining);
            if (move is not null) Assert.NotEqual(first.To, move.To);
        });
    }

    [Fact]
    public void A_dead_node_is_no_target()
    {
        var groups = Groups(8, (_, nodes) => nodes.Contains("n1") ? "n1" : nodes[0]);
        var live = new[] { "n1", "n2" };
        // n3 and n4 are gone: their replicas are not live voters, and they lead nothing.
        groups = [.. groups.Select(g => g with { LiveVoters = [.. g.LiveVoters.Where(v => live.Contains(v.Node))] })];
        while (LeaderBalance.Choose(groups, live, NoneDraining) is { } move)
        {
            Assert.Equal("n2", move.To);
            var i = groups.FindIndex(g => g.Group == move.Group);
            groups[i] = groups[i] with { Leader = move.Target, LeaderNode = move.To };
        }
        Assert.True(groups.Count(g => g.LeaderNode == "n1") <= LeaderBalance.Bounds(8, 2).High);
    }
}
