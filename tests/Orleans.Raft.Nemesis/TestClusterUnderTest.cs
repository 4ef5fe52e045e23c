using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.Nemesis;

/// <summary>The 4-silo TestCluster of <see cref="NemesisCluster"/>, with shared in-memory storage; its whole-silo fault kills a secondary silo and starts a new one.</summary>
public sealed class TestClusterUnderTest(TestCluster cluster) : INemesisCluster
{
    public IClusterClient Client => cluster.Client;

    public string Description => $"a TestCluster of {NemesisCluster.Silos} silos";

    public string[] InitialMembers { get; } = ["r1", "r2", "r3", "r4", "r5"];

    public int MinMembers => 3;

    public int MaxMembers => 5;

    public bool ProcessFaultsOften => false;

    public ShardMap Shards(int groups) => new($"nemesis-{Guid.NewGuid():N}"[..20], groups);

    public static async Task<TestClusterUnderTest> StartAsync(RaftReadMode readMode) => new(await NemesisCluster.StartAsync(readMode));

    public async Task StartGroupsAsync(IReadOnlyList<string> groups)
    {
        foreach (var group in groups) await RaftGroupBootstrapper.StartGroupAsync(cluster.Client, group, InitialMembers);
    }

    public async Task CrashAsync(Random random, TimeSpan hold, Action<string> count, Action<string> log, CancellationToken stop)
    {
        // Never the primary: it holds the test cluster's membership table.
        var secondaries = cluster.SecondarySilos.ToArray();
        if (secondaries.Length == 0) return;
        var victim = secondaries[random.Next(secondaries.Length)];
        count("silo kill");
        log($"nemesis: kill silo {victim.SiloAddress}");
        await cluster.KillSiloAsync(victim);
        await Task.Delay(hold, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        await cluster.StartAdditionalSiloAsync();
        log("nemesis: started a new silo");
    }

    public async Task HealAsync(Action<string> log)
    {
        while (cluster.Silos.Count < NemesisCluster.Silos) await cluster.StartAdditionalSiloAsync();
    }

    public Task<(IReadOnlyDictionary<string, long> Counts, bool Partial)> ReadPathsAsync(IReadOnlyDictionary<string, long> inProcess) =>
        Task.FromResult((inProcess, false));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await cluster.StopAllSilosAsync();
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
