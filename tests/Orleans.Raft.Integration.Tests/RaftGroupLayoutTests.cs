using Microsoft.Extensions.Options;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Integration.Tests;

/// <summary>How the store's groups and their replicas are laid out over the nodes, from the options alone.</summary>
public sealed class RaftGroupLayoutTests
{
    private static RaftGroupLayout Layout(Action<RaftOptions>? raft = null, string? node = null, params string[] initialNodes)
    {
        var o = new RaftOptions();
        raft?.Invoke(o);
        return new RaftGroupLayout(Options.Create(o), Options.Create(new RaftNodeOptions { Name = node, InitialNodes = initialNodes }));
    }

    [Fact]
    public void A_lone_development_node_keeps_one_group_named_as_the_store_with_five_replicas()
    {
        var layout = Layout(node: "n1");
        Assert.Equal(new ShardMap("default", 1), layout.Shards);
        Assert.False(layout.IsSharded);
        Assert.Equal(["r1@n1", "r2@n1", "r3@n1", "r4@n1", "r5@n1"], layout.MembersOf("default"));
        // A lone node listed as the only initial node is the same.
        Assert.Equal(["default"], Layout(node: "n2", initialNodes: ["n1"]).Groups);
    }

    [Fact]
    public void A_silo_that_is_no_node_has_one_group_of_unpinned_replicas()
    {
        var layout = Layout();
        Assert.Equal(["default"], layout.Groups);
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], layout.MembersOf("default"));
    }

    [Fact]
    public void A_cluster_of_three_has_four_groups_per_node_of_three_replicas_balanced_over_the_nodes()
    {
        string[] nodes = ["n1", "n2", "n3"];
        var layout = Layout(node: "n1", initialNodes: nodes);
        Assert.Equal(12, layout.Shards.Count);
        Assert.Equal(3, layout.ReplicationFactor);
        Assert.Equal("default-0", layout.Groups[0]);
        var members = layout.Groups.Select(layout.MembersOf).ToArray();
        Assert.All(members, m =>
        {
            Assert.Equal(["r1", "r2", "r3"], m.Select(ReplicaKey.NameOf));
            Assert.Equal(3, m.Select(x => ReplicaKey.SplitMember(x).Node).Distinct().Count());
        });
        // Each node holds as many replicas, and is the first (preferred leader) of as many groups.
        Assert.All(nodes, n => Assert.Equal(12, members.Sum(m => m.Count(x => ReplicaKey.SplitMember(x).Node == n))));
        Assert.All(nodes, n => Assert.Equal(4, members.Count(m => ReplicaKey.SplitMember(m[0]).Node == n)));
        Assert.Equal(["r1@n2", "r2@n3", "r3@n1"], layout.MembersOf("default-1"));
    }

    [Fact]
    public void Groups_and_replication_factor_are_set_by_options()
    {
        var layout = Layout(o => { o.Groups = 5; o.ReplicationFactor = 2; o.Group = "kv"; }, "n1", "n1", "n2", "n3", "n4");
        Assert.Equal(["kv-0", "kv-1", "kv-2", "kv-3", "kv-4"], layout.Groups);
        Assert.Equal(["r1@n1", "r2@n2"], layout.MembersOf("kv-0"));
        Assert.Equal(["r1@n1", "r2@n2"], layout.MembersOf("kv-4"));
        Assert.Empty(layout.MembersOf("kv"));
        // Two nodes: the default factor is what there is.
        Assert.Equal(2, Layout(node: "n1", initialNodes: ["n1", "n2"]).ReplicationFactor);
        // Named replicas win.
        Assert.Equal(["a@n1", "b@n2", "c@n3"], Layout(o => o.Replicas = ["a", "b", "c"], "n1", "n1", "n2", "n3", "n4").MembersOf("default-0"));
    }
}
