namespace Orleans.Raft.Integration.Tests;

[Collection(SkewedClockClusterCollection.Name)]
public sealed class StateLimitTests(SkewedClockClusterFixture fixture)
{
    [Fact]
    public async Task The_leader_refuses_writes_that_would_pass_MaxStateBytes_and_still_takes_deletes()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var value = new string('v', 1000);
        KvResponse refused = null!;
        var written = 0;
        for (var i = 0; i < 100; i++)
        {
            var r = await group.Gateway.Set($"k{i}", value);
            if (r.Status == KvStatus.InvalidRequest)
            {
                refused = r;
                break;
            }
            Assert.Equal(KvStatus.Ok, r.Status);
            written++;
        }

        Assert.NotNull(refused);
        Assert.Contains("Raft:MaxStateBytes", refused.Error);
        Assert.InRange(written, 10, (int)(SkewedClockClusterFixture.MaxStateBytes / 1000));
        Assert.Equal(KvStatus.InvalidRequest, (await group.Gateway.Append("k0", value)).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Delete("k0")).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k0", value)).Status);
    }

    [Fact]
    public async Task An_append_through_a_follower_is_applied_once()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        var leader = await group.WaitForLeaderAsync();
        var follower = group.Members.First(m => m != leader.Replica);

        Assert.Equal(KvStatus.Ok, (await group.Gateway.ExecuteVia(follower, KvRequest.Append("via", "a"))).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.ExecuteVia(follower, KvRequest.Append("via", "b"))).Status);
        Assert.Equal("ab", (await group.Gateway.Get("via")).Value);
    }
}
