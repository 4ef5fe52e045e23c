using Orleans.Raft.Hosting;

namespace Orleans.Raft.Nemesis;

/// <summary>Bugs the nemesis and the checker found, each as the nemesis run that found it and as a direct test.</summary>
public sealed class RegressionTests
{
    /// <summary>
    /// Found by seed 5 with client resends: every key's history is not linearizable, each time at a compare-and-set
    /// answered "compare failed, found (absent)" while every read around it saw a value. Thread timing varies between
    /// runs, but at a 5% resend rate some failed compare-and-set is resent in every run of this length (it failed
    /// each time it ran). The plain nemesis found the same bug first, in a 4-minute run with seed 2024 (three keys
    /// not linearizable, each at a compare-and-set the gateway had retried through a leader change); a replay of
    /// that seed does not always hit it, since the retry depends on timing, so it is not kept as a test. Fixed: the
    /// de-duplication record of a failed compare keeps the value it found.
    /// </summary>
    [Fact]
    public async Task Nemesis_seed_5_with_client_resends_is_linearizable()
    {
        var result = await NemesisRun.RunAsync(new NemesisOptions { Seed = 5, Duration = TimeSpan.FromSeconds(20), ResendRate = 0.05 });
        Assert.True(result.Passed, result.Summary);
    }

    /// <summary>
    /// A retried compare-and-set whose first attempt was applied and failed must report the value it found. The
    /// gateway retries with the same session and sequence after a leader change, and the state machine then answers from its
    /// de-duplication record, which keeps the status only: the retry said "compare failed, found (absent)" while the
    /// key held a value, which no linearization allows.
    /// </summary>
    [Fact]
    public async Task A_retried_compare_and_set_that_failed_reports_the_value_it_found()
    {
        var cluster = await NemesisCluster.StartAsync();
        try
        {
            var group = $"regress-{Guid.NewGuid():N}"[..20];
            await RaftGroupBootstrapper.StartGroupAsync(cluster.Client, group, ["r1", "r2", "r3"]);
            var gateway = cluster.Client.GetGrain<IKeyValueGatewayGrain>(group);
            // A client that retries by itself numbers its requests in its own session.
            var session = await gateway.OpenSession();
            for (var i = 0; i < 10 && session.Status != KvStatus.Ok; i++) session = await gateway.OpenSession();
            Assert.Equal(KvStatus.Ok, session.Status);
            var set = KvRequest.Set("k", "current") with { SessionId = session.Index, Sequence = 1 };
            // The gateway retries through the first election with the same session and sequence; a few rounds cover a slow start.
            for (var i = 0; i < 10 && (await gateway.Execute(set)).Status != KvStatus.Ok; i++) { }

            var cas = KvRequest.CompareAndSet("k", "other", "new") with { SessionId = session.Index, Sequence = 2 };
            var first = await gateway.Execute(cas);
            Assert.Equal((KvStatus.CompareFailed, "current"), (first.Status, first.Value));

            // What the gateway does after a leader change: the same request again, with the same session and sequence.
            var retry = await gateway.Execute(cas);
            Assert.Equal((KvStatus.CompareFailed, "current"), (retry.Status, retry.Value));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
