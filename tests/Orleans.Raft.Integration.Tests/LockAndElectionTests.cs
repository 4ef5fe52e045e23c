using Orleans.Raft.Client;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The typed client's lock and election recipes on a store of several groups: the hash tag keeps each in one.</summary>
[Collection(ShardedClusterCollection.Name)]
public sealed class LockAndElectionTests(ShardedClusterFixture fixture)
{
    private IRaftKeyValueStore Store => fixture.Client.GetRaftKeyValueStore(ShardedClusterFixture.Store);

    [Fact]
    public async Task Contending_clients_hold_a_lock_one_at_a_time_and_each_holder_gets_a_higher_fencing_token()
    {
        var name = $"counter-{Guid.NewGuid():N}";
        var holders = 0;
        var overlaps = 0;
        var tokens = new List<long>();
        // Beside the lock's line of keys, not in it: any key under the lock's prefix would be taken for a waiter.
        var counterKey = $"{{lock:{name}}}.counter";

        // Four clients, three turns each: a read-modify-write that loses updates unless the lock excludes the others.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var store = fixture.Client.GetRaftKeyValueStore(ShardedClusterFixture.Store);
            for (var turn = 0; turn < 3; turn++)
            {
                await using var held = await store.LockAsync(name, TimeSpan.FromSeconds(10));
                if (Interlocked.Increment(ref holders) > 1) Interlocked.Increment(ref overlaps);
                lock (tokens) tokens.Add(held.Token);
                var current = await store.GetAsync(counterKey);
                await Task.Yield();
                await store.PutAsync(counterKey, $"{int.Parse(current?.Value ?? "0") + 1}");
                Assert.False(held.Lost.IsCancellationRequested);
                Interlocked.Decrement(ref holders);
            }
        })));

        Assert.Equal(0, overlaps);
        Assert.Equal("12", (await Store.GetAsync(counterKey))!.Value);
        // Tokens in the order the lock was taken: each holder's is above every earlier one's.
        Assert.Equal(12, tokens.Distinct().Count());
        Assert.Equal(tokens.Order(), tokens);
        // Every lock key is gone with its lease.
        Assert.Equal(0, (await Store.GetPrefixAsync(RaftKeyValueStore.LockPrefix(name))).Count);
    }

    [Fact]
    public async Task A_lock_whose_holder_is_lost_passes_on_when_its_lease_expires()
    {
        var name = $"crash-{Guid.NewGuid():N}";
        var first = await Store.LockAsync(name, TimeSpan.FromSeconds(2));
        // The holder vanishes without unlocking, as a crashed process would: its lease is no longer renewed.
        await first.AbandonAsync();
        var second = await Store.LockAsync(name, TimeSpan.FromSeconds(10));
        Assert.True(second.Token > first.Token);
        await second.UnlockAsync();
    }

    [Fact]
    public async Task An_election_has_one_leader_at_a_time_and_the_next_candidate_leads_when_it_resigns()
    {
        var election = $"svc-{Guid.NewGuid():N}";
        Assert.Null(await Store.GetLeaderAsync(election));
        var a = await Store.CampaignAsync(election, "a:5000", TimeSpan.FromSeconds(10));
        Assert.Equal("a:5000", (await Store.GetLeaderAsync(election))!.Value);

        var campaigningB = Store.CampaignAsync(election, "b:5000", TimeSpan.FromSeconds(10));
        // b waits while a leads; a proclaims a new value meanwhile.
        Assert.True(await a.ProclaimAsync("a:6000"));
        Assert.Equal("a:6000", (await Store.GetLeaderAsync(election))!.Value);
        Assert.False(campaigningB.IsCompleted);

        await a.ResignAsync();
        var b = await campaigningB;
        Assert.True(b.Revision > a.Revision);
        Assert.Equal("b:5000", (await Store.GetLeaderAsync(election))!.Value);
        Assert.False(await a.ProclaimAsync("a:7000"));
        await b.ResignAsync();
        Assert.Null(await Store.GetLeaderAsync(election));
    }

    [Fact]
    public async Task Typed_errors_name_what_went_wrong()
    {
        await Assert.ThrowsAsync<RaftLeaseNotFoundException>(() => Store.KeepAliveAsync(987654321));
        var invalid = await Assert.ThrowsAsync<RaftInvalidRequestException>(() => Store.PutAsync("bad\u0001key", "x"));
        Assert.Contains("control characters", invalid.Message);
        var spread = await Assert.ThrowsAsync<RaftInvalidRequestException>(() => Store.TxnAsync(new KvTxn([], [KvTxnOp.Put("a", "1"), KvTxnOp.Put("b", "2"), KvTxnOp.Put("c", "3"), KvTxnOp.Put("d", "4")], [])));
        Assert.Contains("hash tag", spread.Message);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync("a", cancellationToken: cancelled.Token));
    }
}
