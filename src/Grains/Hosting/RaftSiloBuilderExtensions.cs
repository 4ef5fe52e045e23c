using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Faults;
using Orleans.Raft.Placement;
using Orleans.Raft.Storage;

namespace Orleans.Raft.Hosting;

public static class RaftSiloBuilderExtensions
{
    /// <summary>
    /// The key of the TimeProvider replicas keep time with (the silo's own by default). Tests replace it to skew a
    /// replica's clocks without skewing Orleans' membership, which reads the unkeyed one.
    /// </summary>
    public const string ReplicaClockKey = "Orleans.Raft.ReplicaClock";

    /// <summary>
    /// Adds the Raft replicas and gateway to a silo: options from the "Raft" section, stable storage as Raft:Storage says
    /// (unless another <see cref="IRaftStorage"/> is registered), metrics, fault injection, spread placement, and
    /// reminders allowed below one minute.
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
        options.ValidateDataAnnotations().Validate(o => o.HeartbeatTicks < o.ElectionTicks, "Raft:HeartbeatTicks must be less than Raft:ElectionTicks")
            .Validate(o => o.Replicas.Length > 0 && o.Replicas.All(ReplicaKey.IsValidName) && o.Replicas.Distinct().Count() == o.Replicas.Length,
                "Raft:Replicas must be distinct names of letters, digits, '-', '_' or '.'")
            .Validate(o => o.SessionTimeout >= 3 * o.RequestTimeout, "Raft:SessionTimeout must be at least 3 times Raft:RequestTimeout")
            .Validate(o => ReplicaKey.IsValidName(o.Group), "Raft:Group must be a name of letters, digits, '-', '_' or '.'")
            .ValidateOnStart();

        builder.Services.TryAddSingleton<IRaftStorage>(sp =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RaftOptions>>().Value;
            return o.Storage == RaftStorageKind.InMemory
                ? InMemoryRaftStorage.Shared
                : new SqliteRaftStorage(new SqliteRaftStorageOptions { DataDirectory = o.DataDirectory });
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddKeyedSingleton(ReplicaClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<RaftMetrics>();
        builder.Services.AddHostedService<RaftGroupBootstrapper>();
        builder.Services.TryAddSingleton<FaultInjectionState>();
        builder.Services.AddSingleton<FaultAgent>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FaultAgent>());
        builder.AddIncomingGrainCallFilter<FaultInjectionFilter>();
        builder.AddPlacementDirector<RaftReplicaSpreadPlacement, RaftReplicaSpreadPlacementDirector>();
        // The keep-alive reminder fires every few seconds; Orleans refuses periods under a minute by default.
        builder.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        return builder;
    }
}
