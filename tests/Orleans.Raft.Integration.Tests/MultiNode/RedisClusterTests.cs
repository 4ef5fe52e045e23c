using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.TestSupport.Processes;
using StackExchange.Redis;

namespace Orleans.Raft.Integration.Tests.MultiNode;

/// <summary>
/// Three silo processes with Redis clustering, each with its own data directory, and a real redis-server: the
/// silo that would be the primary in Development clustering dies by kill -9, and the other two carry on.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisClusterTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-nodes-").FullName;
    private readonly List<SiloProcess> _silos = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        await StartAsync(0, 1, 2);
        _silos.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    private async Task StartAsync(params int[] nodes)
    {
        var starts = nodes.Select(n => SiloProcess.StartAsync($"n{n}",
        [
            "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
            "--node", $"n{n}", "--initial-nodes", "n0,n1,n2", "--groups", "1", "--data", Path.Combine(_data, $"n{n}"),
        ])).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            _silos.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        _redis?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private GatewayEndpoint Gateway(SiloProcess silo) => new("127.0.0.1", silo.GatewayPort);

    [Fact]
    public async Task Kill_9_of_the_first_silo_leaves_a_cluster_of_the_other_two()
    {
        var (n0, n1, n2) = (_silos[0], _silos[1], _silos[2]);
        using var client = await ClusterConnection.ConnectAsync(new GatewayList([.. _silos.Select(Gateway)]), verbose: false);
        var gateway = client.Services.GetRequiredService<IClusterClient>().GetGrain<IKeyValueGatewayGrain>("default");
        await RaftGroup.WaitForAsync(async () => (await gateway.GetStatus()).Any(s => s.Role == ReplicaRole.Leader) ? "" : null, "a leader");

        for (var i = 0; i < 20; i++) Assert.Equal(KvStatus.Ok, (await gateway.Set($"k{i}", $"v{i}")).Status);
        // Read back through another silo's web host: the same group, whichever silo is asked.
        Assert.Equal("v7", await Http.GetStringAsync(new Uri(n2.WebAddress, "/api/kv/k7")));

        var before = await gateway.GetStatus();
        Assert.Equal(3, (await MembersAsync()).Count(m => m.Status == SiloStatus.Active));
        // Replicas pinned to nodes keep no reminder (in Redis or anywhere): each node keeps its own replicas alive.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
            Assert.False(await redis.GetDatabase().KeyExistsAsync("orleans-raft/reminders"), "reminders in Redis");

        n0.Kill();

        // The survivors vote it dead, in Redis; nothing needed the dead silo to say so.
        var members = await RaftGroup.WaitForAsync(async () =>
        {
            var all = await MembersAsync();
            return all.Any(m => m.Port == n0.SiloPort && m.Status == SiloStatus.Dead) ? all : null;
        }, "Redis to show the killed silo dead");
        Assert.Equal(new[] { n1.SiloPort, n2.SiloPort }.Order(), members.Where(m => m.Status == SiloStatus.Active).Select(m => m.Port).Order());

        // Grain calls through the surviving gateways answer again once they know: the web API's and the client's.
        await EventuallyAsync(async () =>
        {
            using var status = await Http.GetAsync(new Uri(n1.WebAddress, "/api/status"));
            if (status.StatusCode != HttpStatusCode.OK) return false;
            using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("replicas").GetArrayLength() == 3;
        }, "GET /api/status from a survivor");
        await EventuallyAsync(async () => (await gateway.GetStatus()).Length == 3, "a grain call from the client");

        // The command-line client, given the dead gateway first, reaches a live one.
        var (code, output, error) = await Cli.RunAsync(ClusterConnection.Connector,
            ["--gateway", $"{Gateway(n0)},{Gateway(n1)},{Gateway(n2)}", "status", "-o", "json"]);
        Assert.True(code is ExitCodes.Ok or ExitCodes.RequestFailed, $"exit code {code}: {error}");
        using (var rows = JsonDocument.Parse(output)) Assert.Equal(3, rows.RootElement.GetArrayLength());

        // Two of the three replicas live on the survivors' disks: the group keeps taking writes.
        Assert.Equal(["n0", "n1", "n2"], before.Select(s => s.Node).Order());
        await EventuallyAsync(async () => (await gateway.Set("after", "kill")).Status == KvStatus.Ok, "a write after the kill");
        Assert.Equal("kill", await Http.GetStringAsync(new Uri(n2.WebAddress, "/api/kv/after")));
        Assert.Equal("v7", await Http.GetStringAsync(new Uri(n1.WebAddress, "/api/kv/k7")));

        // Started again, it joins the two through Redis: there is no primary silo to wait for.
        await n0.RestartAsync();
        await EventuallyAsync(async () => (await MembersAsync()).Count(m => m.Status == SiloStatus.Active) == 3, "the restarted silo to be a member");
        Assert.Contains(await MembersAsync(), m => m.Port == n0.SiloPort && m.Status == SiloStatus.Active);
    }

    /// <summary>Until the condition holds; a call that fails while the cluster settles is tried again.</summary>
    private static Task EventuallyAsync(Func<Task<bool>> condition, string what) =>
        RaftGroup.WaitForAsync(async () =>
        {
            try
            {
                return await condition() ? "" : null;
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or HttpRequestException)
            {
                return null;
            }
        }, what);

    private sealed record Member(int Port, SiloStatus Status);

    /// <summary>The Orleans membership table, as the Redis clustering provider stores it: one JSON entry per silo in a hash.</summary>
    private async Task<Member[]> MembersAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var entries = await redis.GetDatabase().HashGetAllAsync("orleans-raft/members/orleans-raft");
        return [.. entries.Where(e => e.Name != "Version").Select(e =>
        {
            using var json = JsonDocument.Parse(e.Value.ToString());
            var address = json.RootElement.GetProperty("SiloAddress").GetProperty("SiloAddress").GetString()!;   // 127.0.0.1:PORT@GENERATION
            var port = int.Parse(address.Split('@')[0].Split(':')[^1]);
            return new Member(port, (SiloStatus)json.RootElement.GetProperty("Status").GetInt32());
        })];
    }
}
