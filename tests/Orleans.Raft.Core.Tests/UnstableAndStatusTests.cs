using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

/// <summary>White-box tests of <see cref="Unstable"/>, and of the read-only <see cref="RaftNode.Status"/> view.</summary>
public sealed class UnstableAndStatusTests
{
    private static readonly HardState Hs = new(1, "n1", 0);

    [Fact]
    public void Entries_past_the_stable_index_and_a_changed_HardState_are_unstable()
    {
        var unstable = new Unstable(3, Hs);
        Assert.False(unstable.HasUnstable(Hs, 3));
        Assert.True(unstable.HasUnstable(Hs, 4));
        Assert.True(unstable.HasUnstable(Hs with { CommitIndex = 1 }, 3));
        Assert.Equal([4L, 5], unstable.Entries(Raw.LogWithTerms(1, 1, 1, 1, 1)).Select(e => e.Index));
    }

    [Fact]
    public void Advance_makes_a_Ready_stable_only_below_a_truncation_made_while_it_was_in_flight()
    {
        var unstable = new Unstable(0, Hs);
        unstable.ReadyTaken();
        Assert.True(unstable.ReadyInFlight);
        unstable.Truncated(3);

        unstable.Advanced(new Ready { HardState = Hs with { CurrentTerm = 2 }, LastEntryIndex = 5 }, lastIndex: 3);

        Assert.False(unstable.ReadyInFlight);
        Assert.Equal(2, unstable.StableIndex);
        Assert.Equal(Hs with { CurrentTerm = 2 }, unstable.StableHardState);

        // The next Ready starts afresh: an earlier truncation no longer caps it.
        unstable.ReadyTaken();
        unstable.Advanced(new Ready { LastEntryIndex = 4 }, lastIndex: 4);
        Assert.Equal(4, unstable.StableIndex);
    }

    [Fact]
    public void A_truncation_at_or_below_the_stable_index_lowers_it_at_once()
    {
        var unstable = new Unstable(5, Hs);
        unstable.Truncated(7);
        Assert.Equal(5, unstable.StableIndex);
        unstable.Truncated(4);
        Assert.Equal(3, unstable.StableIndex);
    }

    [Fact]
    public void An_installed_snapshot_is_stable_up_to_its_index_and_a_persisted_one_stays_so()
    {
        var unstable = new Unstable(2, Hs);
        unstable.ReadyTaken();
        unstable.SnapshotInstalled(10);
        Assert.Equal(10, unstable.StableIndex);

        var snapshot = new SnapshotData(10, 1, [1]);
        unstable.Advanced(new Ready { Snapshot = snapshot, LastEntryIndex = 12 }, lastIndex: 12);
        Assert.Equal(10, unstable.StableIndex);
    }

    [Fact]
    public void Status_is_a_copy_that_later_steps_leave_unchanged()
    {
        var node = Raw.Node("n1");
        node.Campaign(force: true);
        Raw.Drain(node);
        node.Step(new RaftMessage { Type = MessageType.RequestVoteResponse, From = "n2", To = "n1", Term = 1 });
        Raw.Drain(node);

        var before = node.Status();
        Assert.Equal(RaftRole.Leader, before.Role);
        Assert.Equal((1L, "n1", "n1"), (before.Term, before.VotedFor, before.LeaderId));
        Assert.Equal((1L, 1L), (before.LastIndex, before.LastTerm)); // the leader's no-op
        Assert.Equal(0, before.Progress["n2"].MatchIndex);

        node.Step(new RaftMessage { Type = MessageType.AppendEntriesResponse, From = "n2", To = "n1", Term = 1, Index = 1 });

        Assert.Equal(0, before.Progress["n2"].MatchIndex);
        var after = node.Status();
        Assert.Equal(1, after.Progress["n2"].MatchIndex);
        Assert.Equal(ProgressState.Replicate, after.Progress["n2"].State);
        Assert.Equal(1, after.CommitIndex);
    }

    [Fact]
    public void Status_reports_members_applied_index_and_the_log_bounds_around_a_snapshot()
    {
        var config = Raw.Config("n1") with { SnapshotCatchUpEntries = 0 };
        var node = Raw.Node("n1", term: 2, votedFor: "n2", logTerms: [1, 1, 2, 2, 2], config: config, commit: 4);
        Raw.Drain(node);
        node.Compact(3, [7]);

        var status = node.Status();
        Assert.Equal(["n1", "n2", "n3"], status.Members);
        Assert.Equal((RaftRole.Follower, 2L, "n2"), (status.Role, status.Term, status.VotedFor));
        Assert.Equal((4L, 4L), (status.CommitIndex, status.Applied));
        Assert.Equal((4L, 5L, 2L), (status.FirstIndex, status.LastIndex, status.LastTerm));
        Assert.Equal((3L, 2L), (status.SnapshotIndex, status.SnapshotTerm));
        Assert.Empty(status.Progress);
    }
}
