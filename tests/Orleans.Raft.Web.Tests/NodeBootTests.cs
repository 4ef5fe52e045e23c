using Microsoft.Extensions.DependencyInjection;
using Orleans.Raft.Silo;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Web.Tests;

/// <summary>A node's boot starts every replica its disk holds.</summary>
public sealed class NodeBootTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("orleans-raft-boot-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    // Its peers may tell a replica it was removed, and it retires, between the boot's listing of the disk and its
    // start: the start then finds nothing stored, and that failed the whole node's start.
    [Fact]
    public async Task A_replica_listed_on_the_disk_and_gone_before_its_start_does_not_fail_the_node_start()
    {
        StaleListingStorage? storage = null;
        var args = WebSilo.Arguments(out _, ["--Raft:Storage", "Sqlite", "--node", "n1", "--data", _data]);
        var app = SiloWebApp.Build(args, builder =>
        {
            var sqlite = builder.Services.Last(d => d.ServiceType == typeof(IRaftStorage));
            builder.Services.Remove(sqlite);
            builder.Services.AddSingleton<IRaftStorage>(sp => storage = new StaleListingStorage((IRaftStorage)sqlite.ImplementationFactory!(sp)));
        });
        await using (app)
        {
            await app.StartAsync();
            Assert.True(storage!.StaleListed, "the boot never listed the retired replica");
            // The node's own replicas started and serve.
            // The node creates its groups' replicas in the background once it has started.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            IReadOnlyList<StoredReplica> stored;
            while ((stored = await storage.ListReplicasAsync()).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.NotEmpty(stored);
            Assert.DoesNotContain(stored, r => r.Group == StaleListingStorage.Group);
            var gateway = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IKeyValueGatewayGrain>(stored[0].Group);
            // The group may still be electing its first leader.
            KvResponse response;
            while ((response = await gateway.Set("k", "v")).Status != KvStatus.Ok && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.True(response.Status == KvStatus.Ok, $"{response.Status}: {response.Error}");
            await app.StopAsync();
        }
    }

    /// <summary>Lists, once, a replica it does not hold: one that retired just after a listing.</summary>
    private sealed class StaleListingStorage(IRaftStorage inner) : IRaftStorage
    {
        public const string Group = "retired";
        private int _listings;

        public bool StaleListed => Volatile.Read(ref _listings) > 0;

        public Task<IRaftReplicaStore> OpenAsync(string group, string replica, CancellationToken cancellationToken = default) =>
            inner.OpenAsync(group, replica, cancellationToken);

        public async Task<IReadOnlyList<StoredReplica>> ListReplicasAsync(CancellationToken cancellationToken = default)
        {
            var stored = await inner.ListReplicasAsync(cancellationToken);
            return Interlocked.Increment(ref _listings) == 1 ? [.. stored, new StoredReplica(Group, "r9@n1", ["r7@n2", "r8@n3", "r9@n1"])] : stored;
        }
    }
}
