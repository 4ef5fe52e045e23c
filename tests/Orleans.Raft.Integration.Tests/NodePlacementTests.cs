using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

[Collection(NodeClusterCollection.Name)]
public sealed class NodePlacementTests(NodeClusterFixture fixture)
{
    private static string NodeOf(SiloHandle silo) => silo.Name;

    [Fact]
    public async Task A_pinned_replica_runs_only_on_its_node_stays_down_with_it_and_returns_from_its_own_disk()
    {
        var cluster = fixture.Cluster;
        var silos = cluster.Silos.OrderBy(s => s.InstanceNumber).ToArray();
        Assert.Equal(3, silos.Length);
        // Never kill the primary: it holds the test membership table.
        var victim = silos[1];
        var members = silos.Select((s, i) => ReplicaKey.Member($"r{i + 1}", NodeOf(s))).ToArray();
        var group = await RaftGroup.StartAsync(fixture.Client, members, "node");
        await group.WaitForLeaderAsync();

        var statuses = await group.StatusAsync();
        foreach (var (status, silo) in statuses.OrderBy(s => s.Replica).Zip(silos))
        {
            Assert.Equal(NodeOf(silo), status.Node);
            Assert.Equal(silo.SiloAddress.ToString(), status.Silo);
        }

        for (var i = 0; i < 20; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"before{i}", $"{i}")).Status);
        await group.WaitForConvergenceAsync(minIndex: 20);
        await cluster.KillSiloAsync(victim);
        // A call to an activation on the killed silo waits out Orleans' response timeout until membership declares the
        // silo dead; only then do the gateway and store grains reactivate on a live silo.
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        await RaftGroup.WaitForAsync(async () =>
            (await management.GetHosts(onlyActive: true)).ContainsKey(victim.SiloAddress) ? null : "dead",
            "membership to declare the killed silo dead");

        // The group serves on without it; its replica is refused everywhere else rather than started from nothing.
        for (var i = 0; i < 20; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"after{i}", $"{i}")).Status);
        var down = await RaftGroup.WaitForAsync(async () =>
        {
            var r2 = (await group.StatusAsync()).Single(s => s.Replica == "r2");
            return r2.Error?.Contains($"lives on node {NodeOf(victim)}", StringComparison.Ordinal) == true ? r2 : null;
        }, "r2 to be reported down with its node");
        Assert.False(down.Running);
        foreach (var s in (await group.StatusAsync()).Where(s => s.Replica != "r2"))
            Assert.NotEqual(victim.SiloAddress.ToString(), s.Silo);

        // The node comes back under its name: its replica starts from its own disk at boot and catches up.
        var restarted = await cluster.StartSiloAsync(victim.InstanceNumber, cluster.Options);
        Assert.Equal(NodeOf(victim), NodeOf(restarted));
        var leader = await group.WaitForLeaderAsync();
        var back = await RaftGroup.WaitForAsync(async () =>
        {
            var r2 = (await group.StatusAsync()).Single(s => s.Replica == "r2");
            return r2.Running && r2.LastApplied >= leader.CommitIndex ? r2 : null;
        }, "r2 to run again and catch up");
        Assert.Equal(restarted.SiloAddress.ToString(), back.Silo);
        Assert.Equal("19", await group.Replica("r2").ReadLocal("before19"));
        Assert.Equal("19", await group.Replica("r2").ReadLocal("after19"));
    }
}
