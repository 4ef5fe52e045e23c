using Orleans.Raft.Faults;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A leader cut off from its majority, which still believes it leads (check-quorum off), never serves a get with a
/// value older than a write the majority acknowledged meanwhile.
/// </summary>
public sealed class StaleLeaderReadTests(StaleLeaderClusterFixture fixture) : IClassFixture<StaleLeaderClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private IFaultControlGrain Faults => fixture.Client.GetGrain<IFaultControlGrain>(FaultControlGrain.Key);

    [Fact]
    public async Task A_leader_cut_off_from_its_majority_never_returns_the_overwritten_value()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var old = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Replica(old.Replica).Execute(KvRequest.Set("k", "old"), forward: false, Timeout)).Status);
        Assert.Equal("old", (await group.Replica(old.Replica).Execute(KvRequest.Get("k"), forward: false, Timeout)).Value);

        await Faults.Split(group.Name, "alone", [old.Replica]);
        // Taken before the majority moves on, and answered, if ever, after: it must not say "old" either.
        var early = group.Replica(old.Replica).Execute(KvRequest.Get("k"), forward: false, Timeout);
        var next = await RaftGroup.WaitForAsync(async () =>
        {
            var statuses = await group.StatusAsync();
            return statuses.FirstOrDefault(s => s.Role == ReplicaRole.Leader && s.Replica != old.Replica && s.CurrentTerm > old.CurrentTerm);
        }, "the majority to elect a new leader");
        await RaftGroup.WaitForAsync(async () =>
        {
            var response = await group.Replica(next.Replica).Execute(KvRequest.Set("k", "new"), forward: false, Timeout);
            return response.Status == KvStatus.Ok ? response : null;
        }, "the new leader to take a write");

        var late = await group.Replica(old.Replica).Execute(KvRequest.Get("k"), forward: false, Timeout);
        var stale = await group.Replica(old.Replica).GetStatus();

        Assert.Equal((ReplicaRole.Leader, old.CurrentTerm), (stale.Role, stale.CurrentTerm)); // it still believes it leads
        foreach (var get in new[] { await early, late })
        {
            Assert.Contains(get.Status, new[] { KvStatus.Timeout, KvStatus.NotLeader });
        }
        Assert.Equal("new", (await group.Replica(next.Replica).Execute(KvRequest.Get("k"), forward: false, Timeout)).Value);

        await Faults.Heal(group.Name);
        var healed = await RaftGroup.WaitForAsync(async () =>
        {
            var get = await group.Replica(old.Replica).Execute(KvRequest.Get("k"), forward: true, Timeout);
            return get.Status == KvStatus.Ok ? get : null;
        }, "the old leader to serve reads again once healed");
        Assert.Equal("new", healed.Value);
    }
}
