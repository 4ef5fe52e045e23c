namespace Orleans.Raft.Integration.Tests;

[Collection(KillableClusterCollection.Name)]
public sealed class KillSiloTests(KillableClusterFixture fixture)
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Killing_the_secondary_silo_of_the_leader_elects_a_new_leader_with_every_value(int replicas)
    {
        var cluster = fixture.Cluster;
        // Each case starts with three silos: an earlier case may have killed one.
        while (cluster.GetActiveSilos().Count() < 3) await cluster.StartAdditionalSiloAsync();
        var group = await RaftGroup.StartAsync(fixture.Client, replicas);
        var leader = await group.WaitForLeaderAsync();
        var primary = cluster.Primary!.SiloAddress.ToString();

        // Move leadership to a replica on a secondary silo: the primary holds the test membership table.
        if (leader.Silo == primary)
        {
            var statuses = await group.StatusAsync();
            var onSecondary = statuses.First(s => s.Silo != primary);
            await group.WaitForConvergenceAsync(minIndex: 1);
            await group.Replica(onSecondary.Replica).StartElection();
            leader = await group.WaitForLeaderAsync(s => s.Replica == onSecondary.Replica);
        }
        Assert.NotEqual(primary, leader.Silo);

        for (var i = 0; i < 20; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set($"k{i}", $"v{i}")).Status);

        var victim = cluster.Silos.Single(s => s.SiloAddress.ToString() == leader.Silo);
        var onVictim = (await group.StatusAsync()).Count(s => s.Silo == leader.Silo);
        Assert.True(onVictim <= (replicas - 1) / 2, $"{onVictim} of {replicas} replicas share the leader's silo: a majority must survive");
        await cluster.KillSiloAsync(victim);

        var next = await group.WaitForLeaderAsync(s => s.CurrentTerm > leader.CurrentTerm && s.Silo != leader.Silo);
        Assert.NotEqual(leader.Silo, next.Silo);
        for (var i = 0; i < 20; i++)
        {
            var got = await group.Gateway.Get($"k{i}");
            Assert.Equal(KvStatus.Ok, got.Status);
            Assert.Equal($"v{i}", got.Value);
        }
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("after", "kill")).Status);
    }
}
