using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Raft.Client;

/// <summary>Registers and reaches the typed client.</summary>
public static class RaftKeyValueClientExtensions
{
    /// <summary>
    /// Registers <see cref="IRaftKeyValueStore"/> for the named store, over the host's <see cref="IGrainFactory"/>: in a
    /// silo (for grains) or in a host with an Orleans client.
    /// </summary>
    public static IServiceCollection AddRaftKeyValueClient(this IServiceCollection services, string store = RaftKeyValueStore.DefaultStore)
    {
        services.TryAddSingleton<IRaftKeyValueStore>(sp => new RaftKeyValueStore(sp.GetRequiredService<IGrainFactory>(), store, sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>The named store through this grain factory: an <c>IClusterClient</c>, or a grain's <c>GrainFactory</c>.</summary>
    public static IRaftKeyValueStore GetRaftKeyValueStore(this IGrainFactory grains, string store = RaftKeyValueStore.DefaultStore) =>
        new RaftKeyValueStore(grains, store);
}
