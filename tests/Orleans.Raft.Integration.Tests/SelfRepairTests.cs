using System.Text.RegularExpressions;
using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Self-repair: a node dead longer than Raft:ReplaceDeadNodeAfter has its replicas replaced on a live node.</summary>
[Collection(SelfRepairClusterCollection.Name)]
public sealed class SelfRepairTests(SelfRepairClusterFixture fixture)
{
    [Fact]
    public async Task A_node_dead_longer_than_ReplaceDeadNodeAfter_has_its_replica_replaced_on_the_spare_node_and_no_acknowledged_write_is_lost()
    {
        var silos = fixture.Cluster.Silos.OrderBy(s => s.InstanceNumber).ToArray();
        Assert.Equal(4, silos.Length);
        var victim = silos[2]; // never the primary: it holds the test membership table
        var spare = silos[3];
        var group = await RaftGroup.StartAsync(fixture.Client, [.. silos.Take(3).Select((s, i) => Member(i, s))], "sr");
        await group.WaitForLeaderAsync();
        var membership = fixture.Client.GetGrain<IRaftMembershipGrain>(group.Name);
        await using var load = WriteLoad.Start(group.Gateway);
        await load.WaitForMoreAsync(20);

        await fixture.Cluster.KillSiloAsync(victim);
        try
        {
            var repaired = await RaftGroup.WaitForAsync(async () =>
            {
                var list = await membership.List();
                return !list.ChangePending && list.Members.All(m => m.Role == MemberRole.Voter && m.Live) && list.Members.All(m => m.Replica != "r3")
                    && list.Members.Length == 3 ? list : null;
            }, "r3 to be replaced");

            Assert.Equal(["r1", "r2", "r4"], repaired.Members.Select(m => m.Replica).Order());
            Assert.Equal(spare.Name, repaired.Members.Single(m => m.Replica == "r4").Node);
            Assert.DoesNotContain(repaired.Members, m => m.Node == victim.Name);

            // Nobody asked for it, yet each step is on the record, in order.
            // The group is whole once the removal commits; self-repair then still tries to retire r3 on its dead node.
            var record = await RaftGroup.WaitForAsync(async () =>
            {
                var events = await membership.Events(0);
                return events.Events.Any(e => e.Text.StartsWith("replaced r3 ", StringComparison.Ordinal)) ? events : null;
            }, "self-repair's last step");
            Assert.All(record.Events, e => Assert.Equal("self-repair", e.Operation));
            Assert.Equal(record.Events.Select(e => e.Sequence).Order(), record.Events.Select(e => e.Sequence));
            Assert.Equal(record.Events.Select(e => e.Time).Order(), record.Events.Select(e => e.Time));
            AssertInOrder(record.Events.Where(e => !e.Refused).Select(e => e.Text).ToArray(),
                $"^node {victim.Name} is dead: replacing r3$",
                $"^reserved the name r4 for node {spare.Name}$",
                $"^created r4 with an empty log on node {spare.Name}$",
                @"^added r4 as a learner at index \d+$",
                "^r4 promoted to voter$",
                @"^removed r3 at index \d+$",
                "^(retired r3's storage|r3 had retired its storage itself|r3 did not answer: .*)$",
                $"^replaced r3 of dead node {victim.Name}$");
            await load.WaitForMoreAsync(20);
            await load.StopAsync();
            await load.AssertNoneLostAsync(group.Gateway);
            var last = load.Acknowledged.Keys.Max(StringComparer.Ordinal)!;
            await RaftGroup.WaitForAsync(async () =>
                await fixture.Client.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(group.Name, ReplicaKey.Member("r4", spare.Name))).ReadLocal(last) == load.Acknowledged[last] ? "" : null,
                "r4 to apply the acknowledged writes");
        }
        finally
        {
            // A new node in its place, so a later test again finds four (the dead node's disk is never used again).
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }

    /// <summary>Each pattern matches a step after the one the previous pattern matched.</summary>
    private static void AssertInOrder(string[] steps, params string[] patterns)
    {
        var at = 0;
        foreach (var pattern in patterns)
        {
            while (at < steps.Length && !Regex.IsMatch(steps[at], pattern)) at++;
            Assert.True(at < steps.Length, $"no step matching {pattern} in order among:\n{string.Join("\n", steps)}");
            at++;
        }
    }

    private static string Member(int i, SiloHandle silo) => ReplicaKey.Member($"r{i + 1}", silo.Name);
}
