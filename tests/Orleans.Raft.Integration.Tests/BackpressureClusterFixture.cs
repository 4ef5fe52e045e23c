using Orleans.Hosting;
using Orleans.Raft.TestSupport;
using Orleans.TestingHost;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// A one-silo cluster whose leaders hold at most <see cref="MaxUncommittedEntries"/> uncommitted writes. Check-quorum is
/// off, so a leader that has lost its followers keeps leading and its backlog can be observed.
/// </summary>
public sealed class BackpressureClusterFixture() : SiloClusterFixture<BackpressureClusterFixture.SiloConfigurator>(1)
{
    public const int MaxUncommittedEntries = 8;

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRaftForTests(o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(3);
                o.CheckQuorum = false;
                o.MaxUncommittedEntries = MaxUncommittedEntries;
            });
        }
    }
}
