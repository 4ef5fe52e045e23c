using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class FailureTests
{
    private const int MaxElectionTicks = 300;

    private static SimNode ElectLeader(SimulatedCluster c)
    {
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        return c.StableLeader()!;
    }

    private static List<long> ProposeMany(SimulatedCluster c, string at, int count, int firstRequest)
    {
        var indexes = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var r = c.Propose(at, Commands.Set($"k{firstRequest + i}", $"v{firstRequest + i}", firstRequest + i));
            Assert.True(r.Accepted);
            indexes.Add(r.Index);
        }
        return indexes;
    }

    private static void AssertConverged(SimulatedCluster c)
    {
        var leader = c.StableLeader();
        Assert.NotNull(leader);
        Assert.All(c.Nodes, n =>
        {
            Assert.Equal(leader.Raft.Log.LastIndex, n.Raft.Log.LastIndex);
            Assert.Equal(leader.Raft.CommitIndex, n.Raft.CommitIndex);
            Assert.Equal(leader.StateMachine.LastAppliedIndex, n.StateMachine.LastAppliedIndex);
            Assert.Equal(leader.StateMachine.Data.OrderBy(p => p.Key), n.StateMachine.Data.OrderBy(p => p.Key));
            for (var i = 1L; i <= n.Raft.Log.LastIndex; i++) Assert.Equal(leader.Raft.Log.At(i), n.Raft.Log.At(i));
        });
    }

    [Fact]
    public void After_a_leader_crash_a_new_leader_has_every_committed_entry_and_the_old_leader_catches_up()
    {
        var c = new SimulatedCluster(5, 101);
        var checker = new SafetyChecker(c);
        var old = ElectLeader(c);
        var committed = ProposeMany(c, old.Id, 20, 0);
        c.RunTicks(2);
        Assert.All(c.Nodes, n => Assert.Equal(committed[^1], n.Raft.CommitIndex));
        var oldTerm = old.Raft.CurrentTerm;

        c.Crash(old.Id);
        Assert.True(c.RunUntil(() => c.Leader() is { } l && l != old, MaxElectionTicks), c.TraceTail());
        var leader = c.Leader()!;
        checker.Check();

        Assert.True(leader.Raft.CurrentTerm > oldTerm);
        for (var i = 1L; i <= committed[^1]; i++) Assert.Equal(old.Store.Entries[(int)i - 1], leader.Raft.Log.At(i));
        var more = ProposeMany(c, leader.Id, 10, 100);

        c.Restart(old.Id);
        Assert.Equal(RaftRole.Follower, old.Raft.Role);
        c.RunTicks(30);
        checker.Check();

        Assert.Equal(leader.Id, old.Raft.LeaderId);
        Assert.Equal(more[^1], old.StateMachine.LastAppliedIndex);
        AssertConverged(c);
    }

    [Fact]
    public void A_minority_partition_makes_no_progress_and_its_entries_are_discarded_on_heal()
    {
        var c = new SimulatedCluster(5, 111);
        var checker = new SafetyChecker(c);
        var oldLeader = ElectLeader(c);
        ProposeMany(c, oldLeader.Id, 5, 0);
        c.RunTicks(2);

        // The leader ends up with one follower: a minority of two.
        var minority = new[] { oldLeader.Id, c.Ids.First(id => id != oldLeader.Id) };
        var majority = c.Ids.Except(minority).ToArray();
        c.Partition(minority, majority);
        var lost = ProposeMany(c, oldLeader.Id, 10, 100);
        var lostTerm = oldLeader.Raft.CurrentTerm;
        c.RunTicks(5);
        Assert.All(minority, id => Assert.True(c[id].Raft.CommitIndex < lost[0]));

        // The majority elects a leader of its own and commits.
        Assert.True(c.RunUntil(() => majority.Any(id => c[id].Raft.Role == RaftRole.Leader), MaxElectionTicks), c.TraceTail());
        var newLeader = c[majority.First(id => c[id].Raft.Role == RaftRole.Leader)];
        var kept = ProposeMany(c, newLeader.Id, 10, 200);
        c.RunTicks(5);
        Assert.All(majority, id => Assert.Equal(kept[^1], c[id].Raft.CommitIndex));
        Assert.All(minority, id => Assert.True(c[id].Raft.CommitIndex < lost[0], "the minority committed"));
        checker.Check();

        c.Heal();
        c.RunTicks(50);
        checker.Check();

        AssertConverged(c);
        Assert.All(c.Nodes, n =>
        {
            Assert.False(n.StateMachine.TryGet("k100", out _), "an entry proposed in the minority was applied");
            Assert.True(n.StateMachine.TryGet("k209", out _));
            Assert.DoesNotContain(n.Raft.Log.Slice(1, n.Raft.Log.LastIndex), e => e.Term == lostTerm && e.Index >= lost[0]);
        });
    }

    [Fact]
    public void An_isolated_old_leader_truncates_its_uncommitted_entries_when_it_rejoins()
    {
        var c = new SimulatedCluster(3, 121);
        var old = ElectLeader(c);
        var committed = ProposeMany(c, old.Id, 3, 0);
        c.RunTicks(2);

        c.Isolate(old.Id);
        var uncommitted = ProposeMany(c, old.Id, 4, 100);
        var oldTerm = old.Raft.CurrentTerm;
        Assert.All(uncommitted, i => Assert.Equal(oldTerm, old.Raft.Log.TermAt(i)));
        Assert.True(c.RunUntil(() => c.Nodes.Any(n => n != old && n.Raft.Role == RaftRole.Leader), MaxElectionTicks));
        var leader = c.Nodes.Single(n => n != old && n.Raft.Role == RaftRole.Leader);
        var newer = ProposeMany(c, leader.Id, 2, 200);

        c.Heal();
        c.RunTicks(30);

        Assert.Equal(RaftRole.Follower, old.Raft.Role);
        Assert.Equal(leader.Raft.CurrentTerm, old.Raft.CurrentTerm);
        for (var i = 1L; i <= committed[^1]; i++) Assert.Equal(leader.Raft.Log.At(i), old.Raft.Log.At(i));
        Assert.All(uncommitted, i => Assert.NotEqual(oldTerm, old.Raft.Log.TermAt(i)));
        // The durable log was rewritten too, not just the in-memory one.
        Assert.Equal(old.Raft.Log.Slice(1, old.Raft.Log.LastIndex), old.Store.Entries);
        Assert.True(old.StateMachine.TryGet("k201", out _));
        Assert.False(old.StateMachine.TryGet("k100", out _));
        AssertConverged(c);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(203)]
    public void Message_loss_duplication_and_reordering_still_converge(int seed)
    {
        var c = new SimulatedCluster(5, seed) { DropRate = 0.2, DuplicateRate = 0.2, MaxDelayTicks = 3, Reorder = true };
        var checker = new SafetyChecker(c);
        var proposed = 0;
        for (var t = 0; t < 600; t++)
        {
            if (t % 3 == 0 && c.Leader() is { } l) c.Propose(l.Id, Commands.Set($"k{proposed}", $"v{proposed}", proposed++));
            c.Tick();
            checker.Check();
        }
        Assert.True(checker.CommittedIndex > 50, $"only {checker.CommittedIndex} committed");

        // Stop the faults; what was committed under them must be everywhere.
        c.DropRate = c.DuplicateRate = 0;
        c.MaxDelayTicks = 0;
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks));
        var marker = c.ProposeAtLeader(Commands.Set("end", "x", 1_000_000));
        Assert.True(marker.Accepted);
        Assert.True(c.RunUntil(() => c.Nodes.All(n => n.StateMachine.LastAppliedIndex >= marker.Index), 100), c.TraceTail());
        checker.Check();
        AssertConverged(c);
    }

    [Theory]
    [InlineData(211)]
    [InlineData(212)]
    public void An_asynchronous_shell_with_Readies_in_flight_stays_safe_and_converges(int seed)
    {
        // Most Readies stay in flight while their node keeps stepping messages and ticks, as in a grain that awaits
        // its storage write; they finish in random order, and crashes hit some of them before or after the write.
        var c = new SimulatedCluster(5, seed) { AsyncReadyRate = 0.9, DropRate = 0.05, MaxDelayTicks = 2, Reorder = true };
        var checker = new SafetyChecker(c);
        var proposed = 0;
        for (var t = 0; t < 400; t++)
        {
            if (t % 2 == 0 && c.Leader() is { } l) c.Propose(l.Id, Commands.Set($"k{proposed}", $"v{proposed}", proposed++));
            if (t % 97 == 50)
            {
                var victim = c.Ids[c.Random.Next(c.Ids.Count)];
                c.Crash(victim);
                c.Tick();
                c.Restart(victim);
            }
            c.Tick();
            foreach (var id in c.Ids.Where(_ => c.Random.Next(3) > 0)) c.CompleteReady(id);
            checker.Check();
        }
        Assert.True(checker.CommittedIndex > 30, $"only {checker.CommittedIndex} committed");

        c.AsyncReadyRate = 0;
        c.DropRate = 0;
        c.CompleteAllReadies();
        Assert.True(c.RunUntil(() => c.StableLeader() is not null, MaxElectionTicks), c.TraceTail());
        var marker = c.ProposeAtLeader(Commands.Set("end", "x", 1_000_000));
        Assert.True(marker.Accepted);
        Assert.True(c.RunUntil(() => c.Nodes.All(n => n.StateMachine.LastAppliedIndex >= marker.Index), 100), c.TraceTail());
        checker.Check();
        AssertConverged(c);
    }

    [Fact]
    public void A_lagging_follower_catches_up_in_batches()
    {
        var c = new SimulatedCluster(3, 301, cfg => cfg with { MaxEntriesPerMessage = 64 });
        var leader = ElectLeader(c);
        var lagging = c.Nodes.First(n => n != leader);
        c.Isolate(lagging.Id);
        var committed = ProposeMany(c, leader.Id, 300, 0);
        c.RunTicks(2);
        Assert.Equal(committed[^1], leader.Raft.CommitIndex);
        Assert.True(lagging.Raft.Log.LastIndex < committed[0]);

        var batches = new List<int>();
        c.OnSend = m =>
        {
            if (m.Type == MessageType.AppendEntries && m.To == lagging.Id && m.Entries.Count > 0) batches.Add(m.Entries.Count);
        };
        c.Heal();
        c.RunTicks(20);

        Assert.Equal(committed[^1], lagging.StateMachine.LastAppliedIndex);
        // 300 entries at up to 64 per message: a handful of full batches, not one message per entry.
        Assert.Contains(64, batches);
        Assert.InRange(batches.Count, 5, 12);
        AssertConverged(c);
    }

    [Fact]
    public void Fast_back_off_finds_a_long_divergence_in_a_few_round_trips()
    {
        // Pre-vote and check-quorum off so the isolated leader keeps its term and its log while it is cut off.
        var c = new SimulatedCluster(3, 311, cfg => cfg with { PreVote = false, CheckQuorum = false });
        var old = ElectLeader(c);
        ProposeMany(c, old.Id, 5, 0);
        c.RunTicks(2);

        // The old leader appends 200 entries of its term that nobody else sees.
        c.Isolate(old.Id);
        var diverged = ProposeMany(c, old.Id, 200, 100);
        var oldTerm = old.Raft.CurrentTerm;
        var others = c.Nodes.Where(n => n != old).ToList();
        Assert.True(c.RunUntil(() => others.Any(n => n.Raft.Role == RaftRole.Leader), MaxElectionTicks));
        var middle = others.Single(n => n.Raft.Role == RaftRole.Leader);
        var kept = ProposeMany(c, middle.Id, 100, 500);
        c.RunTicks(2);

        // A leader elected now starts probing the old leader at its own last index, deep inside the divergence.
        var survivor = others.Single(n => n != middle);
        c.Crash(middle.Id);
        c.Heal();
        var rejects = 0;
        c.OnSend = m =>
        {
            if (m.Type == MessageType.AppendEntriesResponse && m.From == old.Id && m.Reject) rejects++;
        };
        Assert.True(c.RunUntil(() => survivor.Raft.Role == RaftRole.Leader, MaxElectionTicks), c.TraceTail());
        c.RunTicks(5);

        Assert.Equal(survivor.Raft.CommitIndex, old.StateMachine.LastAppliedIndex);
        Assert.True(old.StateMachine.LastAppliedIndex > kept[^1]);
        Assert.All(diverged, i => Assert.NotEqual(oldTerm, old.Raft.Log.TermAt(i)));
        // One entry at a time would take about 100 rejects; skipping the whole conflicting term takes one or two.
        Assert.InRange(rejects, 1, 2);

        c.Restart(middle.Id);
        c.RunTicks(20);
        AssertConverged(c);
    }
}
