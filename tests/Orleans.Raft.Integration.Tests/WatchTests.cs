using System.Collections.Concurrent;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Watches through the gateway: every change once, in revision order, across a leader change and a silo kill.</summary>
[Collection(KillableClusterCollection.Name)]
public sealed class WatchTests(KillableClusterFixture fixture)
{
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public ConcurrentQueue<KvWatchEvent> Events { get; } = new();

        public Watcher(IKeyValueGatewayGrain gateway, string key, string? rangeEnd, long fromRevision)
        {
            _run = Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in gateway.WatchResumingAsync(key, rangeEnd, fromRevision, prevKv: true, cancellationToken: _stop.Token)) Events.Enqueue(e);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
            });
        }

        public Task WaitForAsync(Func<KvWatchEvent[], bool> done, string what) =>
            RaftGroup.WaitForAsync(() => Task.FromResult(done([.. Events]) ? "" : null), what);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _run;
        }
    }

    [Fact]
    public async Task A_watcher_sees_every_change_once_in_revision_order_across_a_leader_change_and_a_silo_kill()
    {
        var cluster = fixture.Cluster;
        while (cluster.GetActiveSilos().Count() < 3) await cluster.StartAdditionalSiloAsync();
        var group = await RaftGroup.StartAsync(fixture.Client, 5, "watch");
        var leader = await group.WaitForLeaderAsync();
        var start = await group.Gateway.Set("w/start", "0");

        await using var watcher = new Watcher(group.Gateway, "w/", KeyRange.PrefixEnd("w/"), start.Revision);
        var written = new List<KvResponse> { start };
        async Task WriteAsync(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var r = i % 5 == 4 ? await group.Gateway.Delete($"w/{i - 1}") : await group.Gateway.Set($"w/{i}", $"v{i}");
                Assert.Equal(KvStatus.Ok, r.Status);
                written.Add(r);
            }
            // Outside the watched prefix: never seen.
            Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("elsewhere", $"{to}")).Status);
        }

        await WriteAsync(1, 20);
        var other = group.Members.First(m => m != leader.Replica);
        await group.Replica(other).StartElection();
        leader = await group.WaitForLeaderAsync(s => s.CurrentTerm > leader.CurrentTerm);
        await WriteAsync(20, 40);

        // Kill a silo that is not the primary; the watch goes on at a replica elsewhere.
        var primary = cluster.Primary!.SiloAddress;
        var victim = cluster.Silos.First(s => !s.SiloAddress.Equals(primary));
        await cluster.KillSiloAsync(victim);
        try
        {
            await group.WaitForLeaderAsync(s => s.Silo != victim.SiloAddress.ToString());
            await WriteAsync(40, 60);
            var last = written[^1].Revision;
            await watcher.WaitForAsync(events => events.Length > 0 && events[^1].Revision >= last, $"the watcher to reach revision {last}");

            var events = watcher.Events.ToArray();
            Assert.DoesNotContain(events, e => e.Type == KvWatchEventType.Compacted);
            Assert.Equal(written.Select(w => w.Revision), events.Select(e => e.Revision));
            Assert.All(events, e => Assert.StartsWith("w/", e.Entry!.Key));
            for (var i = 1; i < written.Count; i++)
            {
                var e = events[i];
                if (i % 5 == 4)
                {
                    Assert.Equal((KvWatchEventType.Delete, $"w/{i - 1}", $"v{i - 1}"), (e.Type, e.Entry!.Key, e.Previous!.Value));
                }
                else
                {
                    Assert.Equal((KvWatchEventType.Put, $"w/{i}", $"v{i}"), (e.Type, e.Entry!.Key, e.Entry.Value));
                }
            }
        }
        finally
        {
            await cluster.StartAdditionalSiloAsync();
        }
    }

    [Fact]
    public async Task A_follower_cut_off_from_every_leader_ends_its_watches_so_they_go_on_elsewhere()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, 3, "cutoff");
        var leader = await group.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", "1")).Status);
        var follower = group.Members.First(m => m != leader.Replica);
        var faults = fixture.Client.GetGrain<IFaultControlGrain>(Faults.FaultControlGrain.Key);
        var stream = group.Replica(follower).Watch("k", null, 0, false).GetAsyncEnumerator();
        try
        {
            // Alone, it hears of no change: its watch must not sit there silently while the others go on.
            await faults.Split(group.Name, "alone", [follower]);
            async Task DrainAsync()
            {
                while (await stream.MoveNextAsync())
                {
                }
            }
            // Bounded, so a watch that never ends fails the test rather than hanging it.
            var ended = await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync().WaitAsync(RaftGroup.Patience));
            Assert.Contains("knows no leader", ended.Message);
        }
        finally
        {
            await faults.Heal(group.Name);
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_watch_resumes_from_a_revision_and_one_older_than_the_history_is_told_where_it_can_resume()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, 3, "resume");
        await group.WaitForLeaderAsync();
        var revisions = new List<long>();
        for (var i = 0; i < 10; i++) revisions.Add((await group.Gateway.Set("k", $"{i}")).Revision);

        // From the revision of the fifth write: that one and every later one, and nothing before.
        await using (var watcher = new Watcher(group.Gateway, "k", null, revisions[4]))
        {
            await watcher.WaitForAsync(e => e.Length >= 6, "six changes");
            Assert.Equal(revisions.Skip(4), watcher.Events.Select(e => e.Revision));
            Assert.Equal(["4", "5", "6", "7", "8", "9"], watcher.Events.Select(e => e.Entry!.Value));
            Assert.Equal("3", watcher.Events.First().Previous!.Value);
        }

        // The fixture keeps 64 events a replica: 100 more writes push the first ten out of every replica's history.
        for (var i = 0; i < 100; i++) Assert.Equal(KvStatus.Ok, (await group.Gateway.Set("k", $"more{i}")).Status);
        await group.WaitForConvergenceAsync();
        await using var late = new Watcher(group.Gateway, "k", null, revisions[0]);
        await late.WaitForAsync(e => e.Length > 0, "an answer");
        var compacted = Assert.Single(late.Events);
        Assert.Equal(KvWatchEventType.Compacted, compacted.Type);
        Assert.True(compacted.CompactRevision >= revisions[^1], $"compacted at {compacted.CompactRevision}");

        // From the oldest revision it can resume from, the watch runs.
        await using var resumed = new Watcher(group.Gateway, "k", null, compacted.CompactRevision + 1);
        await resumed.WaitForAsync(e => e.Length > 0, "changes after the compaction");
        Assert.All(resumed.Events, e => Assert.Equal(KvWatchEventType.Put, e.Type));
        Assert.Equal("more99", resumed.Events.Last().Entry!.Value);
    }
}
