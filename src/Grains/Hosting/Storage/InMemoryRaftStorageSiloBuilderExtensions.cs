using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Hosting;

public static class InMemoryRaftStorageSiloBuilderExtensions
{
    /// <summary>
    /// Keeps replicas' term, vote, log and snapshots in process memory, shared by every silo in the process (so a
    /// replica's state outlives its silo as a disk would): for tests and demos only.
    /// </summary>
    public static ISiloBuilder UseInMemoryRaftStorage(this ISiloBuilder builder) => builder.UseInMemoryRaftStorage(InMemoryRaftStorage.Shared);

    /// <summary>Keeps replicas' state in the given in-memory store: a node's own, when each silo is a node.</summary>
    public static ISiloBuilder UseInMemoryRaftStorage(this ISiloBuilder builder, InMemoryRaftStorage storage)
    {
        builder.Services.RemoveAll<IRaftStorage>();
        builder.Services.AddSingleton<IRaftStorage>(storage);
        return builder;
    }
}
