using Orleans.Raft.Placement;

namespace Orleans.Raft.Integration.Tests;

public sealed class PlacementSlotTests
{
    [Theory]
    [InlineData(3, 3)]
    [InlineData(5, 3)]
    [InlineData(5, 5)]
    [InlineData(3, 7)]
    public void Members_fill_every_silo_before_any_silo_takes_a_second(int replicas, int silos)
    {
        var members = Enumerable.Range(1, replicas).Select(i => $"r{i}").ToArray();
        var slots = members.Select(m => RaftReplicaPlacementDirector.SlotFor("group", m, members, silos)).ToArray();
        var perSilo = slots.GroupBy(s => s).Select(g => g.Count()).ToArray();
        Assert.Equal(Math.Min(replicas, silos), perSilo.Length);
        Assert.True(perSilo.Max() - (perSilo.Length < silos ? 0 : perSilo.Min()) <= 1);
        Assert.All(slots, s => Assert.InRange(s, 0, silos - 1));
    }
}

[Collection(ClusterCollection.Name)]
public sealed class PlacementTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    public async Task A_groups_replicas_are_spread_over_the_silos(int size, int mostPerSilo)
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size);
        var statuses = await group.StatusAsync();
        var perSilo = statuses.GroupBy(s => s.Silo).Select(g => g.Count()).ToArray();
        Assert.Equal(3, perSilo.Length);
        Assert.Equal(mostPerSilo, perSilo.Max());
    }
}
