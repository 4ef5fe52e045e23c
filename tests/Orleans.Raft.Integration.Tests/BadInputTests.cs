namespace Orleans.Raft.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class BadInputTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Bad_requests_get_clear_errors_and_leave_the_data_intact()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var gw = group.Gateway;
        Assert.Equal(KvStatus.Ok, (await gw.Set("keep", "me")).Status);

        var cases = new (KvRequest Request, string Error)[]
        {
            (KvRequest.Set(new string('k', 1025), "v"), "the key is 1025 bytes; the limit is 1024 bytes"),
            (KvRequest.Set("big", new string('v', 1024 * 1024 + 1)), "the value is 1048577 bytes; the limit is 1048576 bytes"),
            (KvRequest.Get(""), "the key is empty"),
            (new KvRequest { Operation = KvOperation.Set, Key = "novalue" }, "a value is required"),
            (new KvRequest { Operation = (KvOperation)42, Key = "k" }, "unknown operation 42"),
            (KvRequest.Get("bad\nkey"), "the key contains control characters"),
            (KvRequest.Set("k", "v") with { Consistency = ReadConsistency.Serializable }, "only a get or a range can be serializable; Set always goes through the leader"),
            (KvRequest.Get("k") with { Consistency = (ReadConsistency)7 }, "unknown read consistency 7"),
            (KvRequest.Range("b", "a"), "the range's end 'a' is not after its start 'b'"),
            (KvRequest.Range("a", "b", limit: -1), "a range's limit must not be negative"),
            (KvRequest.LeaseGrant(TimeSpan.FromMilliseconds(10)), "a lease's TTL is from 1 s to 30 days, not 00:00:00.0100000"),
            (KvRequest.LeaseOperation(KvOperation.LeaseRevoke, 0), "a lease id is a positive number"),
            (new KvRequest { Operation = KvOperation.Txn, Key = "" }, "a transaction is required"),
            (KvRequest.Transaction(new KvTxn([new KvCompare("k", KvCompareTarget.Value, KvCompareOperator.Equal)], [], [])), "a value compare on 'k' needs a value"),
            (KvRequest.Transaction(new KvTxn([], [KvTxnOp.Put("k", "1"), KvTxnOp.Put("k", "2")], [])), "key 'k' is written twice in one branch"),
            (KvRequest.CompareAndSet("k", "x", "v") with { ExpectedModRevision = 3 }, "an expected mod revision is for a compare-and-set, instead of an expected value"),
        };
        foreach (var (request, error) in cases)
        {
            var response = await gw.Execute(request);
            Assert.Equal(KvStatus.InvalidRequest, response.Status);
            Assert.Equal(error, response.Error);
        }

        var unknownReplica = await gw.ExecuteVia("nosuch", KvRequest.Get("keep"));
        Assert.Equal(KvStatus.InvalidRequest, unknownReplica.Status);
        Assert.StartsWith("unknown replica 'nosuch'", unknownReplica.Error);
        var election = await Assert.ThrowsAsync<ArgumentException>(() => gw.StartElection("nosuch"));
        Assert.StartsWith("unknown replica 'nosuch'", election.Message);
        var unknownGroup = await fixture.Client.GetGrain<IKeyValueGatewayGrain>("no-such-group").Get("keep");
        Assert.Equal(KvStatus.InvalidRequest, unknownGroup.Status);
        Assert.Equal("unknown group 'no-such-group': no replicas are registered", unknownGroup.Error);

        // Largest legal key and value still work, and nothing acknowledged was lost.
        var maxKey = new string('k', 1024);
        Assert.Equal(KvStatus.Ok, (await gw.Set(maxKey, new string('v', 1024 * 1024))).Status);
        Assert.Equal(1024 * 1024, (await gw.Get(maxKey)).Value!.Length);
        Assert.Equal("me", (await gw.Get("keep")).Value);
        Assert.Equal(KvStatus.NotFound, (await gw.Get("big")).Status);
    }

    [Fact]
    public async Task Starting_a_replica_with_bad_membership_is_refused()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();

        var notMember = await Assert.ThrowsAsync<ArgumentException>(() => group.Replica("r1").Start(["r2", "r3"]));
        Assert.Contains("must include r1", notMember.Message);
        var changed = await Assert.ThrowsAsync<InvalidOperationException>(() => group.Replica("r1").Start(["r1", "r2", "r3", "r4"]));
        Assert.Contains("change members with 'member add' and 'member remove'", changed.Message);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("still", "works")).Status);
    }
}
