using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>The harness's store must follow the Ready contract exactly, or every other test proves less.</summary>
public sealed class SimulatedStoreTests
{
    [Fact]
    public void Persist_drops_everything_from_the_first_new_index_then_appends()
    {
        var store = new SimulatedStore();
        store.Persist(new Ready { Entries = [Raw.Entry(1, 1), Raw.Entry(2, 1), Raw.Entry(3, 1)], HardState = new HardState(1, "n1", 0) });

        store.Persist(new Ready { Entries = [Raw.Entry(2, 2)] });

        Assert.Equal([(1L, 1L), (2L, 2L)], store.Entries.Select(e => (e.Index, e.Term)));
        Assert.Equal(new HardState(1, "n1", 0), store.HardState); // a Ready without HardState leaves it alone
        Assert.Throws<InvalidOperationException>(() => store.Persist(new Ready { Entries = [Raw.Entry(4, 2)] }));
    }

    [Fact]
    public void A_crash_loses_volatile_state_only()
    {
        var c = new SimulatedCluster(3, 701);
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, 300));
        var leader = c.StableLeader()!;
        c.Propose(leader.Id, Commands.Set("k", "v", 1));
        c.RunTicks(2);
        var stored = leader.Store.Entries.ToList();

        c.Crash(leader.Id);
        c.Restart(leader.Id);

        Assert.Equal(RaftRole.Follower, leader.Raft.Role);
        Assert.Null(leader.Raft.LeaderId);
        Assert.Empty(leader.Raft.Progress);
        Assert.Equal(stored, leader.Raft.Log.Slice(1, leader.Raft.Log.LastIndex));
        Assert.Equal(1, leader.Restarts);
    }
}
