using Orleans.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A one-silo cluster with check-quorum off: a leader cut off from its majority keeps believing it leads, so only the
/// read path can keep it from answering a get with a value the majority has since overwritten.
/// </summary>
public sealed class StaleLeaderClusterFixture() : SiloClusterFixture<StaleLeaderClusterFixture.SiloConfigurator>(1)
{
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(2);
                o.CheckQuorum = false;
            });
        }
    }
}
