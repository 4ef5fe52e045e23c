namespace Orleans.Raft.Integration.Tests;

/// <summary>Client sessions end to end, on silos whose clocks disagree by minutes.</summary>
[Collection(SkewedClockClusterCollection.Name)]
public sealed class SessionTests(SkewedClockClusterFixture fixture)
{
    private static async Task<long> OpenSessionAsync(RaftGroup group)
    {
        var session = await RaftGroup.WaitForAsync(async () =>
        {
            var r = await group.Gateway.OpenSession();
            return r.Status == KvStatus.Ok ? r : null;
        }, "a session");
        return session.Index;
    }

    private static async Task<KvResponse> UntilAnsweredAsync(RaftGroup group, KvRequest request) =>
        await RaftGroup.WaitForAsync(async () =>
        {
            var r = await group.Gateway.Execute(request);
            return r.Status is KvStatus.Timeout or KvStatus.Unavailable or KvStatus.NotLeader ? null : r;
        }, $"an answer to {request.Operation} {request.Key}");

    /// <summary>
    /// Each replica in turn leads, on a silo whose clock is minutes ahead of the others or behind them, and writes a
    /// key under its session; then every earlier write is retried under this leader. None may apply again over the
    /// later write to its key, whichever leader's clock stamped it and whichever retries it.
    /// </summary>
    [Fact]
    public async Task A_retry_is_never_applied_twice_whatever_the_leaders_clocks_say()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        Assert.True((await group.StatusAsync()).Select(s => s.Silo).Distinct().Count() >= 2, "the replicas share one silo's clock");
        var session = await OpenSessionAsync(group);
        var written = new List<KvRequest>();

        foreach (var replica in group.Members.Concat(group.Members))
        {
            await MakeLeaderAsync(group, replica);
            var first = KvRequest.Set($"k{written.Count}", "first") with { SessionId = session, Sequence = written.Count + 1 };
            Assert.Equal(KvStatus.Ok, (await UntilAnsweredAsync(group, first)).Status);
            Assert.Equal(KvStatus.Ok, (await UntilAnsweredAsync(group, KvRequest.Set(first.Key, "later"))).Status);
            written.Add(first);
            foreach (var retry in written)
            {
                Assert.Equal(KvStatus.Ok, (await UntilAnsweredAsync(group, retry)).Status);
                Assert.Equal("later", (await UntilAnsweredAsync(group, KvRequest.Get(retry.Key))).Value);
            }
        }
    }

    private static async Task MakeLeaderAsync(RaftGroup group, string replica)
    {
        // A forced election can lose to a replica with a longer log; then try again.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await group.Gateway.StartElection(replica);
            await Task.Delay(200);
            if ((await group.WaitForLeaderAsync()).Replica == replica) return;
        }
        Assert.Fail($"{replica} never became leader");
    }

    /// <summary>
    /// Concurrent appends of unique suffixes through the gateway while elections are forced: every acknowledged
    /// suffix appears exactly once, and no suffix appears twice.
    /// </summary>
    [Fact]
    public async Task Appends_are_applied_exactly_once_through_retries_and_leader_changes()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        using var stop = new CancellationTokenSource();
        var elections = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await group.Gateway.StartElection(group.Members[n++ % group.Members.Length]);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The replica may be mid-restart; the next one will do.
                }
                await Task.Delay(300);
            }
        });

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
        {
            for (var i = 0; i < 40; i++)
            {
                var suffix = $"<{writer}.{i}>";
                if ((await group.Gateway.Append("log", suffix)).Status == KvStatus.Ok) acknowledged.Add(suffix);
            }
        }));
        await stop.CancelAsync();
        await elections;

        Assert.NotEmpty(acknowledged);
        var value = (await UntilAnsweredAsync(group, KvRequest.Get("log"))).Value ?? "";
        var parts = value.Split('>', StringSplitOptions.RemoveEmptyEntries).Select(p => p + ">").ToList();
        Assert.Equal(parts.Count, parts.Distinct().Count());
        Assert.All(acknowledged, s => Assert.Contains(s, parts));
    }

    [Fact]
    public async Task A_request_of_an_expired_session_answers_SessionExpired_and_is_not_applied()
    {
        var group = await RaftGroup.StartAsync(fixture.Client, size: 3);
        await group.WaitForLeaderAsync();
        var session = await OpenSessionAsync(group);
        var append = KvRequest.Append("e", "x") with { SessionId = session, Sequence = 1 };
        var appended = await UntilAnsweredAsync(group, append);
        Assert.Equal(KvStatus.Ok, appended.Status);

        // Idle past the session timeout, the leader expires it through the log: the only entry after the append.
        await group.WaitForConvergenceAsync(minIndex: appended.Index + 1);
        var expired = await group.Gateway.Execute(append with { Sequence = 2, Value = "y" });
        Assert.Equal(KvStatus.SessionExpired, expired.Status);
        Assert.Contains("session", expired.Error);
        Assert.Equal(KvStatus.SessionExpired, (await UntilAnsweredAsync(group, append)).Status);
        Assert.Equal("x", (await UntilAnsweredAsync(group, KvRequest.Get("e"))).Value);

        // The gateway's own session renews itself: a plain write still works after its session expired.
        Assert.Equal(KvStatus.Ok, (await UntilAnsweredAsync(group, KvRequest.Append("e", "z"))).Status);
        Assert.Equal("xz", (await UntilAnsweredAsync(group, KvRequest.Get("e"))).Value);
    }
}
