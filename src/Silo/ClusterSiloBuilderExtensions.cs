using System.Net;
using Orleans.Configuration;

namespace Orleans.Raft.Silo;

/// <summary>The silo's membership and reminder providers, chosen by the "Cluster" section.</summary>
public static class ClusterSiloBuilderExtensions
{
    /// <summary>
    /// Development: localhost clustering on instance 0 and in-memory reminders. Redis: the membership table and the
    /// reminders in Redis, this silo on its own ports at 127.0.0.1 or <see cref="SiloOptions.AdvertisedAddress"/>,
    /// and no primary silo. Throws <see cref="SiloConfigurationException"/> when the configuration is unusable.
    /// </summary>
    public static ISiloBuilder UseRaftClustering(this ISiloBuilder orleans, IConfiguration configuration, SiloOptions silo, int siloPort, int gatewayPort)
    {
        var cluster = configuration.GetSection(ClusterProviderOptions.SectionName).Get<ClusterProviderOptions>() ?? new ClusterProviderOptions();
        var provider = cluster.ParseProvider();
        var advertised = silo.ParseAdvertisedAddress();

        if (provider == ClusterProvider.Development)
        {
            if (advertised is not null)
            {
                throw new SiloConfigurationException(
                    $"{SiloOptions.SectionName}:{nameof(SiloOptions.AdvertisedAddress)} needs {ClusterProviderOptions.SectionName}:{nameof(ClusterProviderOptions.Provider)} " +
                    "Redis: Development clustering is for silos on one machine, on 127.0.0.1");
            }
            orleans.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, silo.PrimarySiloPort), silo.ServiceId, silo.ClusterId);
            orleans.UseInMemoryReminderService();
            orleans.Services.AddHostedService(sp => new ClusterModeLog(
                sp.GetRequiredService<ILogger<ClusterModeLog>>(), logger => logger.DevelopmentClustering(silo.PrimarySiloPort)));
            return orleans;
        }

        var redis = cluster.ParseRedis();
        var address = advertised ?? IPAddress.Loopback;
        orleans.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = silo.ClusterId;
            o.ServiceId = silo.ServiceId;
        });
        // Listens on the advertised address only: the silo and gateway ports carry no authentication.
        orleans.ConfigureEndpoints(address, siloPort, gatewayPort);
        orleans.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
        orleans.UseRedisReminderService(o => o.ConfigurationOptions = redis.Clone());
        orleans.Configure<ClusterMembershipOptions>(o =>
        {
            // Tuned for silos on one LAN or one machine, where a probe's round trip is well under a millisecond and a
            // killed silo's port refuses at once. The defaults (5 s probes, votes valid for 2 min, table read once a
            // minute) are for clouds; with them a dead silo stays a member, and its replicas unreachable, for about
            // 15 s. Three missed probes (the default, kept) still suspect a silo; a 1 s probe makes that about 3 s,
            // and Orleans stretches it itself (up to 4 s, and more while this silo is starved of CPU), so a GC pause
            // or a loaded machine does not get a healthy silo declared dead.
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            // A vote counts toward a death only alongside recent ones: old suspicions describe a hiccup long over.
            o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
            // Gossip spreads changes at once; the periodic read is for a silo that missed it (paused, partitioned).
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });
        var servers = string.Join(", ", redis.EndPoints.Select(e => e.ToString()));
        orleans.Services.AddHostedService(sp => new ClusterModeLog(
            sp.GetRequiredService<ILogger<ClusterModeLog>>(), logger => logger.RedisClustering(servers, silo.ClusterId, $"{address}", siloPort, gatewayPort)));
        return orleans;
    }
}
