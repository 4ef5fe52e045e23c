namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SnapshotTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_follower_too_far_behind_catches_up_through_a_snapshot_sent_in_chunks()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var lagging = group.Members.First(m => m != leader.Replica);
        await group.Replica(lagging).Stop();

        var value = new string('x', 200);
        long last = 0;
        for (var i = 0; i < 200; i++)
        {
            var r = await group.Gateway.Set($"k{i % 150}", $"{i}:{value}");
            Assert.Equal(KvStatus.Ok, r.Status);
            last = r.Index;
        }
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Delete("k0")).Status);
        var leaderStatus = await group.Replica(leader.Replica).GetStatus();
        Assert.True(leaderStatus.SnapshotIndex >= 128, $"leader compacted only to {leaderStatus.SnapshotIndex}");

        await group.Replica(lagging).Start(group.Members);
        var statuses = await group.WaitForConvergenceAsync(minIndex: last + 1);
        var follower = statuses.Single(s => s.Replica == lagging);
        Assert.True(follower.SnapshotIndex > 0, "the follower caught up without a snapshot");
        Assert.Null(await group.Replica(lagging).ReadLocal("k0"));
        for (var key = 1; key < 150; key++)
        {
            var lastWrite = key < 50 ? key + 150 : key;
            Assert.Equal($"{lastWrite}:{value}", await group.Replica(lagging).ReadLocal($"k{key}"));
        }
    }

    [Fact]
    public async Task A_restarted_replica_loads_its_snapshot_and_replays_the_log_after_it()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var session = await group.Gateway.OpenSession();
        Assert.Equal(KvStatus.Ok, session.Status);
        var retried = KvRequest.Set("dup", "first") with { SessionId = session.Index, Sequence = 1 };
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Execute(retried)).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("dup", "second")).Status);
        long last = 0;
        for (var i = 0; i < 100; i++) last = (await group.Gateway.Set($"k{i}", $"v{i}")).Index;
        var before = await group.WaitForConvergenceAsync(minIndex: last);
        Assert.All(before, s => Assert.True(s.SnapshotIndex >= 64));

        foreach (var m in group.Members) await group.Replica(m).Deactivate();
        await group.WaitForLeaderAsync();
        var after = await group.WaitForConvergenceAsync(minIndex: last);
        foreach (var m in group.Members)
        {
            Assert.Equal("v0", await group.Replica(m).ReadLocal("k0"));
            Assert.Equal("v99", await group.Replica(m).ReadLocal("k99"));
        }
        Assert.All(after, s => Assert.True(s.SnapshotIndex >= 64));

        // The session table lives in the snapshot too: a late retry of the first write is not applied again.
        var retry = await group.Gateway.Execute(retried);
        Assert.Equal(KvStatus.Ok, retry.Status);
        Assert.Equal("second", (await group.Gateway.Get("dup")).Value);
    }
}
