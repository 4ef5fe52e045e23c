using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Raft.Faults;
using Orleans.Raft.Placement;

namespace Orleans.Raft.Hosting;

public static class RaftSiloBuilderExtensions
{
    /// <summary>
    /// The key of the TimeProvider replicas keep time with (the silo's own by default). Tests replace it to skew a
    /// replica's clocks without skewing Orleans' membership, which reads the unkeyed one.
    /// </summary>
    public const string ReplicaClockKey = "Orleans.Raft.ReplicaClock";

    /// <summary>
    /// Adds the Raft replicas and gateway to a silo: options from the "Raft" section, metrics and spread placement.
    /// Storage is chosen apart (<see cref="SqliteRaftStorageSiloBuilderExtensions.UseSqliteRaftStorage"/> or
    /// <see cref="InMemoryRaftStorageSiloBuilderExtensions.UseInMemoryRaftStorage"/>), fault injection is opt-in
    /// (<see cref="RaftFaultInjectionSiloBuilderExtensions.AddRaftFaultInjection"/>), and the host's
    /// <c>ReminderOptions.MinimumReminderPeriod</c> must allow <see cref="RaftOptions.ReminderPeriod"/>.
    /// </summary>
    public static ISiloBuilder AddRaft(this ISiloBuilder builder, IConfiguration? configuration = null, Action<RaftOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<RaftOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(RaftOptions.SectionName));
        if (configure is not null) options.Configure(configure);
        options.PostConfigure(o =>
        {
            if (o.Replicas.Length == 0) o.Replicas = [.. RaftOptions.DefaultReplicas];
        });
        options.ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<IConfigurationValidator, RaftOptionsValidator>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddKeyedSingleton(ReplicaClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<RaftMetrics>();
        builder.Services.AddHostedService<RaftGroupBootstrapper>();
        // Replicas consult the fault state on every step; without AddRaftFaultInjection it stays empty.
        builder.Services.TryAddSingleton<FaultInjectionState>();
        builder.AddPlacementDirector<RaftReplicaSpreadPlacement, RaftReplicaSpreadPlacementDirector>();
        return builder;
    }
}
