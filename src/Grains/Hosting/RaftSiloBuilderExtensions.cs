using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.GrainDirectory;
using Orleans.Hosting;
using Orleans.Raft.Coalescing;
using Orleans.Raft.Faults;
using Orleans.Raft.Placement;
using Orleans.Raft.Replica;
using Orleans.Runtime.GrainDirectory;

namespace Orleans.Raft.Hosting;

public static class RaftSiloBuilderExtensions
{
    /// <summary>
    /// The key of the TimeProvider replicas keep time with (the silo's own by default). Tests replace it to skew a
    /// replica's clocks without skewing Orleans' membership, which reads the unkeyed one.
    /// </summary>
    public const string ReplicaClockKey = "Orleans.Raft.ReplicaClock";

    /// <summary>The grain directory of the replica grains; see <see cref="AddRaft"/>.</summary>
    public const string ReplicaDirectory = "raft-replicas";

    /// <summary>
    /// Adds the Raft replicas and gateway to a silo: options from the "Raft" section, the node from "Node:Name" and
    /// "Cluster:InitialNodes", metrics and node placement.
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
        options.ValidateDataAnnotations().ValidateOnStart();
        var node = builder.Services.AddOptions<RaftNodeOptions>();
        if (configuration is not null)
        {
            node.Configure(o =>
            {
                o.Name = configuration[$"{RaftNodeOptions.NodeSectionName}:{nameof(RaftNodeOptions.Name)}"] ?? o.Name;
                var initial = configuration.GetSection($"{RaftNodeOptions.ClusterSectionName}:{nameof(RaftNodeOptions.InitialNodes)}");
                if (initial.Value is not null || initial.GetChildren().Any())
                    o.InitialNodes = RaftNodeOptions.ParseList([initial.Value, .. initial.GetChildren().Select(c => c.Value)]);
            });
        }
        // The membership table lists each silo under its name: that is how a node's silo is found (RaftNodeLocator).
        builder.Services.AddOptions<SiloOptions>().Configure<IOptions<RaftNodeOptions>>((silo, n) =>
        {
            if (n.Value.Name is { } name) silo.SiloName = name;
        });
        builder.Services.AddTransient<IConfigurationValidator, RaftOptionsValidator>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddKeyedSingleton(ReplicaClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<RaftMetrics>();
        builder.Services.TryAddSingleton<ReplicaEvents>();
        builder.Services.AddHostedService<RaftGroupBootstrapper>();
        // Replicas consult the fault state on every step; without AddRaftFaultInjection it stays empty.
        builder.Services.TryAddSingleton<FaultInjectionState>();
        builder.Services.TryAddSingleton<RaftNodeLocator>();
        builder.Services.TryAddSingleton<RaftGroupLayout>();
        builder.AddPlacementDirector<RaftReplicaPlacement, RaftReplicaPlacementDirector>();
        builder.AddPlacementDirector<RaftNodePlacement, RaftNodePlacementDirector>();
        builder.Services.TryAddSingleton<HeartbeatOutbox>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(QuiescenceWatch)))
        {
            builder.Services.AddSingleton<QuiescenceWatch>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<QuiescenceWatch>());
            builder.Services.AddSingleton<ReplicaKeepAlive>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplicaKeepAlive>());
        }
        // Replicas are registered in a directory of their own. In Orleans' default one, a silo's death deactivates every
        // grain whose entry it held, wherever that grain runs, and until the death is declared no call reaches such a
        // grain; so a dead node would take down live replicas of other nodes in the middle of the election that
        // replaces its leader. The distributed directory recovers a dead silo's entries from the silos that hold the
        // grains, and each silo's cache of where a replica runs stays valid while that replica's silo lives.
        // A host with a default directory of its own keeps it for replicas too (see ReplicaDirectoryResolver): Orleans'
        // TestCluster makes the distributed one the default before this runs, and would not get it under a second name.
        if (!builder.Services.Any(d => d.IsKeyedService && d.ServiceType == typeof(IGrainDirectory) && Equals(d.ServiceKey, GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY)))
        {
#pragma warning disable ORLEANSEXP003 // Marked experimental in Orleans 10.
            builder.AddDistributedGrainDirectory(ReplicaDirectory);
#pragma warning restore ORLEANSEXP003
        }
        builder.Services.AddSingleton<IGrainDirectoryResolver, ReplicaDirectoryResolver>();
        // Its leases keep a dead silo's grains from registering again for a while (18 s with the silo's membership
        // settings), in case that silo still runs: a restarted node's replicas would stay down as long. A replica needs
        // no such guard: it runs only on its node's newest silo, and its storage fences off an older activation
        // (StaleEpochException) before that could persist, and so send, anything.
        builder.Services.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero);
        return builder;
    }
}
