using Orleans.Raft.Consensus;
using Orleans.Raft.Hosting;
using Xunit.Abstractions;

namespace Orleans.Raft.Integration.Tests;

[Collection(CoalescingClusterCollection.Name)]
public sealed class CoalescingTests(CoalescingClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Heartbeats_to_a_node_from_many_groups_travel_together_in_one_call_per_tick()
    {
        const int Groups = 12;
        var silos = fixture.Cluster.Silos.OrderBy(s => s.InstanceNumber).ToArray();
        var (leaders, followers) = (silos[0].Name, silos[1].Name);
        var groups = await Task.WhenAll(Enumerable.Range(0, Groups).Select(_ =>
            RaftGroup.StartAsync(fixture.Client, [.. silos.Select((s, i) => ReplicaKey.Member($"r{i + 1}", s.Name))], "hb")));
        foreach (var group in groups)
        {
            // Every group led from the same node, so that node heartbeats to each of the others for all of them.
            var leader = await group.WaitForLeaderAsync();
            if (leader.Replica != "r1") Assert.Equal(KvStatus.Ok, (await group.Replica(leader.Replica).TransferLeadership("r1", TimeSpan.FromSeconds(5))).Status);
            await group.WaitForLeaderAsync(s => s.Replica == "r1");
        }
        var names = groups.Select(g => g.Name).ToHashSet();
        var (batchesBefore, directsBefore) = (CoalescingClusterFixture.Batches.Count, CoalescingClusterFixture.Directs.Count);
        await RaftGroup.WaitForAsync(() => Task.FromResult(
            CoalescingClusterFixture.Batches.Skip(batchesBefore).Count(b => b.Node == followers) >= 40 ? "" : null), "40 batches at one node");

        // Heartbeats: appends with no entries. None reached the followers' node one by one; they came in batches, each
        // carrying many groups' (a leader heartbeats every other tick, so about half of them in each tick's batch).
        var batches = CoalescingClusterFixture.Batches.Skip(batchesBefore).Where(b => b.Node == followers).ToArray();
        var directs = CoalescingClusterFixture.Directs.Skip(directsBefore).Where(d => d.Node == followers && names.Contains(d.Group)).ToArray();
        Assert.DoesNotContain(directs, d => d.Type == (byte)MessageType.AppendEntries && d.Entries == 0);
        var heartbeats = batches.Sum(b => b.Messages.Count(m => m.Type == (byte)MessageType.AppendEntries && m.Entries == 0));
        output.WriteLine($"{heartbeats} heartbeats in {batches.Length} calls; groups per call: {string.Join(",", batches.Select(b => b.Groups.Length))}");
        Assert.True(heartbeats >= 4 * batches.Length,
            $"{heartbeats} heartbeats of {Groups} groups came in {batches.Length} calls; groups per call: {string.Join(",", batches.Select(b => b.Groups.Length))}");
        Assert.All(batches, b => Assert.Subset(names, b.Groups.ToHashSet()));
        // And the leaders' node got the replies likewise, with quiescence off no replica ever quiesced.
        Assert.Contains(CoalescingClusterFixture.Batches.Skip(batchesBefore), b => b.Node == leaders
            && b.Messages.Any(m => m.Type == (byte)MessageType.AppendEntriesResponse));
        Assert.All(await Task.WhenAll(groups.Select(g => g.StatusAsync())), statuses => Assert.All(statuses, s => Assert.False(s.Quiesced)));
    }
}
