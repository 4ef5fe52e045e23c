using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.TestingHost;

namespace Orleans.Raft.TestSupport;

/// <summary>The silo configuration every TestCluster of the integration tests and the nemesis shares.</summary>
public static class RaftTestSilo
{
    /// <summary>The host-wide reminder minimum test silos use, so a short <see cref="RaftOptions.ReminderPeriod"/> is allowed.</summary>
    public static readonly TimeSpan MinimumReminderPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Raft with in-memory storage (process-wide, so a replica's state outlives its silo as a disk would), in-memory
    /// reminders and fault injection; no group starts by itself, tests start their own.
    /// </summary>
    public static ISiloBuilder AddRaftForTests(this ISiloBuilder silo, Action<RaftOptions>? configure = null)
    {
        silo.UseInMemoryReminderService();
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = MinimumReminderPeriod);
        silo.AddRaft(configure: o =>
        {
            o.StartReplicas = false;
            configure?.Invoke(o);
        });
        silo.UseInMemoryRaftStorage();
        silo.AddRaftFaultInjection();
        return silo;
    }

    /// <summary>Declares a killed silo dead quickly, so its grains reactivate elsewhere.</summary>
    public static ISiloBuilder UseFastSiloDeathDetection(this ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
    });

    /// <summary>A TestCluster builder over real sockets, so extra clients can connect to the silos' gateways.</summary>
    public static TestClusterBuilder CreateClusterBuilder(short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        return builder;
    }
}
