using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Real silo processes on localhost, each node with its own data directory: stops, restarts and kill -9.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ProcessTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"orleans-raft-{Guid.NewGuid():N}");
    private readonly string _clusterId = $"proc-{Guid.NewGuid():N}"[..20];
    private readonly List<SiloProcess> _silos = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    /// <summary>
    /// A development cluster: node n1 holds the group and the membership table, n2 and n3 join it and serve clients.
    /// Each node has its own data directory under _data, kept across restarts.
    /// </summary>
    private async Task StartClusterAsync()
    {
        foreach (var old in _silos) await old.DisposeAsync();
        _silos.Clear();
        for (var i = 1; i <= 3; i++)
        {
            _silos.Add(await SiloProcess.StartAsync($"n{i}",
            [
                "--node", $"n{i}", "--initial-nodes", "n1", "--data", Path.Combine(_data, $"n{i}"), "--Silo:ClusterId", _clusterId,
                "--Raft:EnableFaultInjection", "true",
                .. (i == 1 ? Array.Empty<string>() : ["--primary-port", $"{_silos[0].SiloPort}"]),
            ]));
        }
        // n1 serves once it has started the group: wait for its replicas before any client uses the cluster.
        await RaftGroup.WaitForAsync(() => Task.FromResult(File.ReadAllText(_silos[0].LogPath).Contains("Raft group default", StringComparison.Ordinal) ? "" : null), "n1 to start the group");
    }

    private async Task<IHost> ConnectAsync(int silo) =>
        await ClusterConnection.ConnectAsync(new GatewayEndpoint("127.0.0.1", _silos[silo].GatewayPort), verbose: false, clusterId: _clusterId);

    private static IKeyValueGatewayGrain Gateway(IHost client) => client.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>("default");

    private static async Task WaitForLeaderAsync(IHost client) =>
        await RaftGroup.WaitForAsync(async () =>
        {
            var statuses = await Gateway(client).GetStatus();
            return statuses.Any(s => s.Role == ReplicaRole.Leader) ? statuses : null;
        }, "a leader");

    [Fact]
    public async Task Every_acknowledged_value_survives_stopping_and_restarting_every_silo()
    {
        await StartClusterAsync();
        using (var client = await ConnectAsync(1))
        {
            await WaitForLeaderAsync(client);
            for (var i = 0; i < 50; i++) Assert.Equal(KvStatus.Ok, (await Gateway(client).Set($"k{i}", $"v{i}")).Status);
        }
        for (var i = _silos.Count - 1; i >= 0; i--) await _silos[i].StopAsync();

        await StartClusterAsync();
        using var again = await ConnectAsync(2);
        await WaitForLeaderAsync(again);
        for (var i = 0; i < 50; i++) Assert.Equal($"v{i}", (await Gateway(again).Get($"k{i}")).Value);
    }

    [Fact]
    public async Task Kill_9_in_the_middle_of_a_write_load_loses_no_acknowledged_write()
    {
        await StartClusterAsync();
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        using (var client = await ConnectAsync(0))
        {
            await WaitForLeaderAsync(client);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}-{i}";
                    try
                    {
                        var r = await Gateway(client).Set(key, $"{i}");
                        if (r.Status == KvStatus.Ok) acknowledged[key] = $"{i}";
                    }
                    catch (Exception)
                    {
                        // The connection dies with the silos: only acknowledged writes count.
                        return;
                    }
                }
            })).ToArray();
            await RaftGroup.WaitForAsync(() => Task.FromResult(acknowledged.Count >= 200 ? "" : null), "writes to be acknowledged");

            // kill -9 a secondary silo first, then every silo, all while the writers run.
            _silos[1].Kill();
            await RaftGroup.WaitForAsync(() => Task.FromResult(acknowledged.Count >= 300 ? "" : null), "writes after the first kill");
            foreach (var silo in _silos) silo.Kill();
            stop.Cancel();
            await Task.WhenAll(writers);
        }
        Assert.True(acknowledged.Count >= 300);

        await StartClusterAsync();
        using var again = await ConnectAsync(0);
        await WaitForLeaderAsync(again);
        var lost = new List<string>();
        foreach (var (key, value) in acknowledged)
        {
            var got = await Gateway(again).Get(key);
            if (got.Value != value) lost.Add($"{key}: expected {value}, got {got.Status} {got.Value}");
        }
        Assert.Empty(lost);
        var statuses = await Gateway(again).GetStatus();
        Assert.All(statuses, s => Assert.True(s.Running, $"{s.Replica} is not running: {s.Error}"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "silo processes";
}
