using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Membership changes of groups pinned to nodes: replacing a dead node's replica, and draining a node.</summary>
[Collection(MembershipNodeClusterCollection.Name)]
public sealed class NodeMembershipTests(MembershipNodeClusterFixture fixture)
{
    private SiloHandle[] Silos => [.. fixture.Cluster.Silos.OrderBy(s => s.InstanceNumber)];

    /// <summary>A group of three replicas on the first three nodes; the fourth is spare.</summary>
    private async Task<(RaftGroup Group, IRaftMembershipGrain Membership)> StartGroupAsync()
    {
        var silos = Silos;
        Assert.Equal(4, silos.Length);
        var group = await RaftGroup.StartAsync(fixture.Client, [.. silos.Take(3).Select((s, i) => ReplicaKey.Member($"r{i + 1}", s.Name))], "mn");
        await group.WaitForLeaderAsync();
        return (group, fixture.Client.GetGrain<IRaftMembershipGrain>(group.Name));
    }

    [Fact]
    public async Task A_killed_nodes_replica_is_replaced_on_the_spare_node_and_the_group_keeps_serving()
    {
        var (group, membership) = await StartGroupAsync();
        var silos = Silos;
        var victim = silos[2]; // never the primary: it holds the test membership table
        var spare = silos[3];
        for (var i = 0; i < 30; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"before{i}", $"{i}")).Status);
        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            await RaftGroup.WaitForAsync(async () => (await membership.List()).Members.Any(m => m.Replica == "r3" && !m.Live) ? "" : null, "r3 to be down");

            var added = await membership.Add(null);
            Assert.Contains($"added r4 on node {spare.Name} as a learner", added);
            Assert.Contains("r4 caught up and was promoted to voter", added);
            var removed = await membership.Remove("r3");
            Assert.Contains($"removed r3 (node {victim.Name})", removed);
            Assert.Contains("it did not answer", removed);

            var list = await membership.List();
            Assert.Equal(["r1", "r2", "r4"], list.Members.Where(m => m.Role == MemberRole.Voter).Select(m => m.Replica).Order());
            Assert.Equal(spare.Name, list.Members.Single(m => m.Replica == "r4").Node);
            for (var i = 0; i < 30; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"after{i}", $"{i}")).Status);
            for (var i = 0; i < 30; i++) Assert.Equal($"{i}", (await group.Gateway.Get($"before{i}")).Value);
            await RaftGroup.WaitForAsync(async () =>
                await fixture.Client.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group.Name, ReplicaKey.Member("r4", spare.Name))).ReadLocal("after29") == "29" ? "" : null,
                "r4 to apply the writes after the replacement");
        }
        finally
        {
            // A new node in its place, so the other tests again find four (the dead node's disk is never used again).
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }

    [Fact]
    public async Task With_ReplaceDeadNodeAfter_0_a_dead_nodes_replica_is_not_replaced()
    {
        var (group, membership) = await StartGroupAsync();
        var victim = Silos[2];
        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            // The leader sees the node dead for longer than the self-repair fixture waits before it replaces a replica.
            await RaftGroup.WaitForAsync(async () =>
            {
                var leader = (await group.StatusAsync()).FirstOrDefault(s => s.IsLive && s.Role == ReplicaRole.Leader);
                return leader is not null && leader.DeadNodes.TryGetValue(victim.Name, out var dead) && dead > 2 * SelfRepairClusterFixture.ReplaceDeadNodeAfter ? leader : null;
            }, $"the leader to see node {victim.Name} dead");

            var list = await membership.List();
            Assert.False(list.ChangePending);
            Assert.Equal(["r1", "r2", "r3"], list.Members.Select(m => m.Replica).Order());
            Assert.All(list.Members, m => Assert.Equal(MemberRole.Voter, m.Role));
            Assert.False(list.Members.Single(m => m.Replica == "r3").Live);
        }
        finally
        {
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }

    [Fact]
    public async Task Draining_the_leaders_node_moves_leadership_then_its_replica_to_the_spare_node_under_writes()
    {
        var (group, membership) = await StartGroupAsync();
        var leader = await group.WaitForLeaderAsync();
        var drained = leader.Node!;
        var spare = Silos[3].Name;
        await using var load = WriteLoad.Start(group.Gateway);
        await load.WaitForMoreAsync(20);

        var done = await membership.DrainNode(drained);
        Assert.Contains($"moved leadership from {leader.Replica}", done);
        Assert.Contains($"added r4 on node {spare} as a learner", done);
        Assert.Contains($"removed {leader.Replica} (node {drained})", done);
        Assert.EndsWith($"node {drained} holds no replica of group '{group.Name}'", done);
        await load.WaitForMoreAsync(20);
        await load.StopAsync();

        var list = await membership.List();
        Assert.DoesNotContain(list.Members, m => m.Node == drained);
        Assert.Equal(3, list.Members.Count(m => m.Role == MemberRole.Voter && m.Live));
        Assert.NotNull(list.Leader);
        Assert.Empty(load.Failures);
        await load.AssertNoneLostAsync(group.Gateway);
        Assert.Equal($"node {drained} holds no replica of group '{group.Name}'", await membership.DrainNode(drained));
    }
}
