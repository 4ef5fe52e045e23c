namespace Orleans.Raft.Integration.Tests;

/// <summary>etcd's API on one group of five: revisions, ranges, transactions and leases, end to end through the gateway.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KeyValueApiTests(ClusterFixture fixture)
{
    private async Task<RaftGroup> StartAsync()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, prefix: "api");
        await group.WaitForLeaderAsync();
        return group;
    }

    [Fact]
    public async Task A_key_carries_its_create_and_mod_revisions_and_version_and_a_compare_and_set_can_compare_the_mod_revision()
    {
        var group = await StartAsync();
        var first = await group.Gateway.Set("k", "1");
        var other = await group.Gateway.Set("other", "x");
        var second = await group.Gateway.Set("k", "2");
        Assert.True(first.Revision < other.Revision && other.Revision < second.Revision, $"revisions {first.Revision}, {other.Revision}, {second.Revision}");

        var got = await group.Gateway.Get("k");
        Assert.Equal(new KvEntry("k", "2", first.Revision, second.Revision, 2, 0), got.Entry);
        Assert.Equal(second.Revision, got.Revision);

        var stale = await group.Gateway.Execute(KvRequest.CompareAndSet("k", null, "3") with { Expected = null, ExpectedModRevision = first.Revision });
        Assert.Equal(KvStatus.CompareFailed, stale.Status);
        Assert.Equal("2", stale.Value);
        Assert.Equal(second.Revision, stale.Entry!.ModRevision);

        var fresh = await group.Gateway.Execute(KvRequest.CompareAndSet("k", null, "3") with { ExpectedModRevision = second.Revision });
        Assert.Equal(KvStatus.Ok, fresh.Status);
        Assert.Equal(3, (await group.Gateway.Get("k")).Entry!.Version);

        // Mod revision 0: only if the key does not exist.
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Execute(KvRequest.CompareAndSet("new", null, "n") with { ExpectedModRevision = 0 })).Status);
        Assert.Equal(KvStatus.CompareFailed, (await group.Gateway.Execute(KvRequest.CompareAndSet("new", null, "n") with { ExpectedModRevision = 0 })).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Delete("k")).Status);
        var recreated = await group.Gateway.Set("k", "again");
        Assert.Equal(new KvEntry("k", "again", recreated.Revision, recreated.Revision, 1, 0), (await group.Gateway.Get("k")).Entry);
    }

    [Theory]
    [InlineData(ReadConsistency.Linearizable)]
    [InlineData(ReadConsistency.Serializable)]
    public async Task A_prefix_range_is_sorted_limited_and_can_leave_values_out(ReadConsistency consistency)
    {
        var group = await StartAsync();
        foreach (var key in new[] { "app/b", "app/a", "app/c/1", "apple", "ap", "b" }) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set(key, $"v:{key}")).Status);

        var all = await group.Gateway.Execute(KvRequest.Range("app/", KeyRange.PrefixEnd("app/"), consistency: consistency));
        if (consistency == ReadConsistency.Serializable && all.Entries!.Length < 3)
            all = await RaftGroup.WaitForAsync(async () => (await group.Gateway.Execute(KvRequest.Range("app/", KeyRange.PrefixEnd("app/"), consistency: consistency))) is { Count: 3 } r ? r : null, "a follower to catch up");
        Assert.Equal(["app/a", "app/b", "app/c/1"], all.Entries!.Select(e => e.Key));
        Assert.All(all.Entries!, e => Assert.Equal($"v:{e.Key}", e.Value));
        Assert.Equal((3, false), (all.Count, all.More));

        var limited = await group.Gateway.Execute(KvRequest.Range("app/", KeyRange.PrefixEnd("app/"), limit: 2, keysOnly: true, consistency: consistency));
        Assert.Equal(["app/a", "app/b"], limited.Entries!.Select(e => e.Key));
        Assert.All(limited.Entries!, e => Assert.Null(e.Value));
        Assert.Equal((3, true), (limited.Count, limited.More));

        var between = await group.Gateway.Execute(KvRequest.Range("ap", "apple"));
        Assert.Equal(["ap", "app/a", "app/b", "app/c/1"], between.Entries!.Select(e => e.Key));
        var everything = await group.Gateway.Execute(KvRequest.Range("", KeyRange.AllFrom));
        Assert.Equal(6, everything.Count);

        var backwards = await group.Gateway.Execute(KvRequest.Range("b", "a"));
        Assert.Equal(KvStatus.InvalidRequest, backwards.Status);
        Assert.Contains("not after its start", backwards.Error);
    }

    [Fact]
    public async Task A_transaction_runs_its_then_or_else_branch_atomically_at_one_revision()
    {
        var group = await StartAsync();
        await group.Gateway.Set("acct/a", "10");
        await group.Gateway.Set("acct/b", "5");
        var a = (await group.Gateway.Get("acct/a")).Entry!;

        // Move 3 from a to b, if a is unchanged since read.
        var move = new KvTxn([KvCompare.ModRevisionIs("acct/a", a.ModRevision), KvCompare.ValueIs("acct/b", "5")],
            [KvTxnOp.Put("acct/a", "7"), KvTxnOp.Put("acct/b", "8"), KvTxnOp.Get("acct/", KeyRange.PrefixEnd("acct/"))],
            [KvTxnOp.Get("acct/a")]);
        var done = await group.Gateway.Execute(KvRequest.Transaction(move));
        Assert.Equal(KvStatus.Ok, done.Status);
        Assert.True(done.Txn!.Succeeded);
        // The range in the branch sees the branch's own puts, both at the transaction's one revision.
        Assert.Equal([("acct/a", "7"), ("acct/b", "8")], done.Txn.Results[2].Entries.Select(e => (e.Key, e.Value!)));
        Assert.All(done.Txn.Results[2].Entries, e => Assert.Equal(done.Txn.Revision, e.ModRevision));

        // The same transaction again: a's revision moved, so the else branch runs and nothing is written.
        var again = await group.Gateway.Execute(KvRequest.Transaction(move));
        Assert.False(again.Txn!.Succeeded);
        Assert.Equal("7", again.Txn.Results.Single().Entries.Single().Value);
        Assert.Equal(done.Txn.Revision, again.Txn.Revision);
        Assert.Equal("8", (await group.Gateway.Get("acct/b")).Value);

        // A put to a lease that does not exist fails the whole transaction: the delete before it is not applied.
        var bad = await group.Gateway.Execute(KvRequest.Transaction(new KvTxn([], [KvTxnOp.Delete("acct/a"), KvTxnOp.Put("acct/c", "1", lease: 424242)], [])));
        Assert.Equal(KvStatus.LeaseNotFound, bad.Status);
        Assert.Equal("7", (await group.Gateway.Get("acct/a")).Value);

        var twice = await group.Gateway.Execute(KvRequest.Transaction(new KvTxn([], [KvTxnOp.Put("x", "1"), KvTxnOp.Put("x", "2")], [])));
        Assert.Equal(KvStatus.InvalidRequest, twice.Status);
        Assert.Contains("written twice", twice.Error);
    }

    [Fact]
    public async Task A_lease_expires_no_sooner_than_its_ttl_even_across_a_leader_change_and_its_keys_go_from_every_replica()
    {
        var group = await StartAsync();
        var ttl = TimeSpan.FromSeconds(3);
        var granted = await group.Gateway.Execute(KvRequest.LeaseGrant(ttl));
        var grantedAt = DateTime.UtcNow;
        Assert.Equal(KvStatus.Ok, granted.Status);
        Assert.True(granted.Lease > 0);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Execute(KvRequest.Set("session/me", "alive") with { Lease = granted.Lease })).Status);
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("plain", "stays")).Status);
        Assert.Equal(granted.Lease, (await group.Gateway.Get("session/me")).Entry!.Lease);

        // A leader change in the middle: the new leader gives the lease its whole TTL again.
        var leader = await group.WaitForLeaderAsync();
        var other = group.Members.First(m => m != leader.Replica);
        await group.Replica(other).StartElection();
        await group.WaitForLeaderAsync(s => s.CurrentTerm > leader.CurrentTerm);

        var gone = await RaftGroup.WaitForAsync(async () =>
            (await group.Gateway.Get("session/me")).Status == KvStatus.NotFound ? DateTime.UtcNow.ToString("O") : null, "the lease's key to go");
        var lived = DateTime.Parse(gone, null, System.Globalization.DateTimeStyles.RoundtripKind) - grantedAt;
        Assert.True(lived >= ttl, $"the key went {lived.TotalMilliseconds} ms after a grant of {ttl}");
        Assert.Equal(KvStatus.LeaseNotFound, (await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseTimeToLive, granted.Lease))).Status);
        var converged = await group.WaitForConvergenceAsync();
        foreach (var m in group.Members)
        {
            Assert.Null(await group.Replica(m).ReadLocal("session/me"));
            Assert.Equal("stays", await group.Replica(m).ReadLocal("plain"));
        }
    }

    [Fact]
    public async Task Keep_alives_hold_a_lease_and_a_revoke_deletes_its_keys_at_once()
    {
        var group = await StartAsync();
        // A TTL ten times the renewal period, so a busy machine's late renewal does not let it lapse.
        var lease = (await group.Gateway.Execute(KvRequest.LeaseGrant(TimeSpan.FromSeconds(3)))).Lease;
        await group.Gateway.Execute(KvRequest.Set("held/1", "a") with { Lease = lease });
        await group.Gateway.Execute(KvRequest.Set("held/2", "b") with { Lease = lease });

        // Renewed every 300 ms for longer than its TTL, the lease holds, each renewal for its whole TTL.
        for (var i = 0; i < 15; i++)
        {
            var renewed = await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseKeepAlive, lease));
            Assert.Equal(KvStatus.Ok, renewed.Status);
            Assert.True(renewed.Leases!.Single().Remaining > TimeSpan.FromMilliseconds(2900));
            await Task.Delay(300);
        }
        Assert.Equal("a", (await group.Gateway.Get("held/1")).Value);
        var described = (await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseTimeToLive, lease))).Leases!.Single();
        Assert.Equal(["held/1", "held/2"], described.Keys);
        Assert.Contains(lease, (await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseList, 0))).Leases!.Select(l => l.Id));

        var revoked = await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseRevoke, lease));
        Assert.Equal(KvStatus.Ok, revoked.Status);
        var after = await group.Gateway.Execute(KvRequest.Range("held/", KeyRange.PrefixEnd("held/")));
        Assert.Equal(0, after.Count);
        Assert.Equal(KvStatus.LeaseNotFound, (await group.Gateway.Execute(KvRequest.LeaseOperation(KvOperation.LeaseKeepAlive, lease))).Status);
        Assert.Equal(KvStatus.LeaseNotFound, (await group.Gateway.Execute(KvRequest.Set("late", "x") with { Lease = lease })).Status);
    }
}
