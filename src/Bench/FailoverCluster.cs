using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.Raft.ClientApp;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport.Processes;

namespace Orleans.Raft.Bench;

/// <summary>
/// A real redis-server and three node processes (n1, n2, n3: Redis clustering, each its own SQLite data directory,
/// one group unless told, every other setting the silo's default), and a client connected through all three gateways. Dispose kills them all
/// and deletes their directories; so does the end of this process, should Main return before Dispose has run.
/// </summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    public const string Group = "default";
    public static readonly string[] Nodes = ["n1", "n2", "n3"];

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(30);
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-failover-bench-").FullName;
    private readonly Dictionary<string, SiloProcess> _nodes = [];
    private readonly ManualResetEventSlim _disposed = new();
    private RedisServer? _redis;
    private IHost? _client;
    private int _disposing;

    private readonly IReadOnlyList<string> _nodeArgs;
    private readonly int _groups;

    /// <param name="nodeArgs">More arguments for every node (settings such as "--Raft:Quiesce false"), after the others.</param>
    /// <param name="groups">The store's groups (--groups): one, the store's group named "default", unless told.</param>
    public FailoverCluster(IReadOnlyList<string>? nodeArgs = null, int groups = 1)
    {
        _nodeArgs = nodeArgs ?? [];
        _groups = groups;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public IClusterClient Client => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("the cluster is not started");

    /// <summary>Fires when a connection of the client to a gateway closes, as when that node is killed.</summary>
    public GatewayLossSignal GatewayLoss { get; } = new();

    public IKeyValueGatewayGrain Gateway => Client.GetGrain<IKeyValueGatewayGrain>(Group);

    public SiloProcess Node(string name)
    {
        lock (_nodes) return _nodes[name];
    }

    /// <summary>The replica that lives on a node, addressed as the gateway addresses it ("group/name@node").</summary>
    public IRaftReplicaGrain Replica(ReplicaStatus status) =>
        Client.GetGrain<IRaftReplicaGrain>(ReplicaKey.Format(Group, ReplicaKey.Member(status.Replica, status.Node)));

    /// <summary>Starts Redis, the three nodes (all started before this returns or throws, so none is left unowned) and the client.</summary>
    /// <param name="verbose">Log the client's Orleans runtime to stderr.</param>
    public async Task StartAsync(TextWriter progress, bool verbose, CancellationToken cancellation)
    {
        _redis = await RedisServer.StartAsync();
        cancellation.ThrowIfCancellationRequested();
        await progress.WriteLineAsync($"redis-server on {_redis.ConnectionString}; starting nodes {string.Join(", ", Nodes)}...");
        var starts = Nodes.Select(async n =>
        {
            var node = await SiloProcess.StartAsync(n,
            [
                "--cluster", "Redis", "--cluster-connection", _redis.ConnectionString,
                "--node", n, "--initial-nodes", string.Join(",", Nodes), "--groups", _groups.ToString(CultureInfo.InvariantCulture), "--data", Path.Combine(_data, n), .. _nodeArgs,
            ]);
            lock (_nodes) _nodes[n] = node;
        }).ToArray();
        await Task.WhenAll(starts);
        cancellation.ThrowIfCancellationRequested();
        await progress.WriteLineAsync($"node logs: {Path.GetDirectoryName(Node(Nodes[0]).LogPath)}");
        _client = await ClusterConnection.ConnectAsync(
            new GatewayList([.. Nodes.Select(n => new GatewayEndpoint("127.0.0.1", Node(n).GatewayPort))]), verbose,
            configure: c => c.AddGatewayCountChangedHandler(GatewayLoss.OnGatewayCountChanged));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1) return;
        try
        {
            if (_client is not null)
            {
                try
                {
                    await _client.StopAsync(TimeSpan.FromSeconds(2));
                }
                catch (Exception)
                {
                    // Its silos are about to die anyway.
                }
                _client.Dispose();
            }
            KillAll();
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory: best effort.
            }
        }
        finally
        {
            _disposed.Set();
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        }
    }

    private void KillAll()
    {
        SiloProcess[] nodes;
        lock (_nodes) nodes = [.. _nodes.Values];
        foreach (var node in nodes)
        {
            try
            {
                // Synchronous underneath: kill -9, then the directory.
                node.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
        _redis?.Dispose();
    }

    /// <summary>
    /// After Ctrl+C, System.CommandLine lets Main return 2 s later whether or not the benchmark has cleaned up: give
    /// the cleanup time to finish, and kill what is left if it does not.
    /// </summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (!_disposed.Wait(ExitGrace)) KillAll();
    }
}
