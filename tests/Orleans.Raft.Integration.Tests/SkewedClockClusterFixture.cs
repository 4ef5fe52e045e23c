using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Raft.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A 3-silo cluster whose replicas' wall clocks disagree: on the first silo it is right, on the second 10 minutes
/// ahead, on the third 10 minutes behind. The monotonic clock is the real one, and Orleans' own clock is untouched. Sessions time out after a few seconds here, and the state
/// is limited to <see cref="MaxStateBytes"/>.
/// </summary>
public sealed class SkewedClockClusterFixture() : SiloClusterFixture<SkewedClockClusterFixture.SiloConfigurator>(3)
{
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    public const long MaxStateBytes = 16 * 1024;

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(1);
                o.SessionTimeout = SessionTimeout;
                o.MaxStateBytes = MaxStateBytes;
                o.SnapshotEvery = 64;
                o.SnapshotChunkBytes = 512;
            });
            silo.Services.AddKeyedSingleton<TimeProvider>(RaftSiloBuilderExtensions.ReplicaClockKey, (sp, _) =>
            {
                var name = sp.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName;
                var skew = name.EndsWith("_1", StringComparison.Ordinal) ? TimeSpan.FromMinutes(10)
                    : name.EndsWith("_2", StringComparison.Ordinal) ? TimeSpan.FromMinutes(-10)
                    : TimeSpan.Zero;
                return new SkewedTimeProvider(skew);
            });
        }
    }

    private sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}

[CollectionDefinition(Name)]
public sealed class SkewedClockClusterCollection : ICollectionFixture<SkewedClockClusterFixture>
{
    public const string Name = "skewed clock cluster";
}
