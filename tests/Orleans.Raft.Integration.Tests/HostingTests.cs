using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;
using Orleans.Runtime;

namespace Orleans.Raft.Integration.Tests;

/// <summary>What AddRaft and its companions register, and what a silo refuses to start with.</summary>
public sealed class HostingTests
{
    private static IHost Build(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "orleans-raft-hosting", clusterId: $"hosting-{Guid.NewGuid():N}");
            silo.UseInMemoryReminderService();
            configure(silo);
        });
        return builder.Build();
    }

    private static async Task<string> StartFailureAsync(Action<ISiloBuilder> configure)
    {
        using var host = Build(configure);
        var ex = await Assert.ThrowsAsync<OrleansConfigurationException>(() => host.StartAsync());
        return ex.Message;
    }

    private static void Allowed(ISiloBuilder silo) => silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));

    [Fact]
    public void AddRaft_leaves_the_hosts_minimum_reminder_period_alone()
    {
        using var host = Build(silo => silo.AddRaft().UseInMemoryRaftStorage());
        Assert.Equal(new ReminderOptions().MinimumReminderPeriod, host.Services.GetRequiredService<IOptions<ReminderOptions>>().Value.MinimumReminderPeriod);
    }

    [Fact]
    public async Task A_reminder_period_below_the_hosts_minimum_fails_at_start()
    {
        var message = await StartFailureAsync(silo => silo.AddRaft().UseInMemoryRaftStorage());
        Assert.StartsWith($"Raft:{nameof(RaftOptions.ReminderPeriod)} (00:00:10) is below the host's {nameof(ReminderOptions)}.{nameof(ReminderOptions.MinimumReminderPeriod)} (00:01:00)", message);
    }

    [Fact]
    public async Task Heartbeat_not_below_election_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.HeartbeatTicks = o.ElectionTicks).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:HeartbeatTicks (10) must be less than Raft:ElectionTicks (10)", message);
    }

    [Fact]
    public async Task Bad_replica_names_fail_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.Replicas = ["r1", "r/2"]).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:Replicas must be distinct names of letters, digits, '-', '_' or '.', not [r1, r/2]", message);
    }

    [Fact]
    public async Task A_session_timeout_too_close_to_the_request_timeout_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.SessionTimeout = 2 * o.RequestTimeout).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:SessionTimeout (00:00:10) must be at least 3 times Raft:RequestTimeout (00:00:05)", message);
    }

    [Fact]
    public async Task Lease_reads_without_check_quorum_fail_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o =>
            {
                o.ReadMode = RaftReadMode.Lease;
                o.CheckQuorum = false;
            }).UseInMemoryRaftStorage();
        });
        Assert.StartsWith("Raft:ReadMode Lease requires Raft:CheckQuorum", message);
    }

    [Fact]
    public async Task An_undefined_read_mode_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.ReadMode = (RaftReadMode)7).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:ReadMode must be one of ReadIndex, Lease, Log, not '7'", message);
    }

    [Fact]
    public async Task A_ReplaceDeadNodeAfter_below_a_second_but_not_0_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.ReplaceDeadNodeAfter = TimeSpan.FromMilliseconds(500)).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:ReplaceDeadNodeAfter (00:00:00.5000000) must be 0 (off) or at least 1 s: a node is not dead for less", message);
    }

    [Fact]
    public async Task Fewer_than_one_group_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.Groups = 0).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:Groups must be at least 1, not 0", message);
    }

    [Fact]
    public async Task A_replication_factor_below_one_or_above_the_initial_nodes_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.ReplicationFactor = 0).UseInMemoryRaftStorage();
        });
        Assert.Equal("Raft:ReplicationFactor must be at least 1, not 0", message);

        message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft(configure: o => o.ReplicationFactor = 4).UseInMemoryRaftStorage();
            silo.Configure<RaftNodeOptions>(n => (n.Name, n.InitialNodes) = ("n1", ["n1", "n2", "n3"]));
        });
        Assert.Equal("Raft:ReplicationFactor (4) must be at most the number of initial nodes (3: n1, n2, n3): each replica of a group needs a node of its own", message);
    }

    [Fact]
    public async Task No_storage_fails_at_start()
    {
        var message = await StartFailureAsync(silo =>
        {
            Allowed(silo);
            silo.AddRaft();
        });
        Assert.Equal("no Raft storage is configured: call UseSqliteRaftStorage or UseInMemoryRaftStorage on the silo builder", message);
    }

    [Fact]
    public void Fault_injection_is_registered_only_by_AddRaftFaultInjection()
    {
        using (var host = Build(silo => silo.AddRaft().UseInMemoryRaftStorage()))
        {
            Assert.False(host.Services.IsRaftFaultInjectionEnabled());
            Assert.Null(host.Services.GetService<FaultAgent>());
        }
        using (var host = Build(silo => silo.AddRaft().UseInMemoryRaftStorage().AddRaftFaultInjection()))
        {
            Assert.True(host.Services.IsRaftFaultInjectionEnabled());
            Assert.NotNull(host.Services.GetService<FaultAgent>());
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
