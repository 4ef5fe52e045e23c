using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Raft.Faults;

namespace Orleans.Raft.Hosting;

public static class RaftFaultInjectionSiloBuilderExtensions
{
    /// <summary>
    /// Lets faults (partitions, loss, delay, stopped replicas) be injected through the fault control grain. For test,
    /// demo and development hosts only: without it, every fault call fails with <see cref="FaultInjection.DisabledMessage"/>.
    /// </summary>
    public static ISiloBuilder AddRaftFaultInjection(this ISiloBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(FaultInjection))) return builder;
        builder.Services.AddSingleton<FaultInjection>();
        builder.Services.TryAddSingleton<FaultInjectionState>();
        builder.Services.AddSingleton<FaultAgent>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FaultAgent>());
        builder.AddIncomingGrainCallFilter<FaultInjectionFilter>();
        return builder;
    }

    /// <summary>Whether the silo whose services these are was built with fault injection.</summary>
    public static bool IsRaftFaultInjectionEnabled(this IServiceProvider services) => services.GetService<FaultInjection>() is not null;
}
