using Orleans.Raft.Bench;

namespace Orleans.Raft.Integration.Tests;

/// <summary>Counting elections from samples of the groups' terms and leaders, as the steady-load cell does.</summary>
public sealed class ElectionCountTests
{
    [Fact]
    public void A_steady_leader_in_one_term_is_no_election()
    {
        GroupLeader[][] samples = [[new("g", 3, "r1")], [new("g", 3, "r1")], [new("g", 3, "r1")]];
        Assert.Equal(new ElectionCount(0, 0), ElectionCount.Of(samples));
    }

    [Fact]
    public void Terms_count_every_election_even_between_samples_and_leaders_count_each_change()
    {
        GroupLeader[][] samples =
        [
            [new("g", 3, "r1")],
            [new("g", 4, null)],    // an election under way: no leader known
            [new("g", 6, "r2")],    // two terms passed between samples
            [new("g", 6, "r2")],
            [new("g", 7, "r2")],    // re-elected: a term, not a change of leader
            [new("g", 8, "r1")],
        ];
        Assert.Equal(new ElectionCount(5, 2), ElectionCount.Of(samples));
    }

    [Fact]
    public void A_sample_without_a_leader_does_not_end_a_leadership_by_itself()
    {
        GroupLeader[][] samples = [[new("g", 2, "r1")], [new("g", 2, null)], [new("g", 2, "r1")]];
        Assert.Equal(new ElectionCount(0, 0), ElectionCount.Of(samples));
    }

    [Fact]
    public void Groups_are_counted_apart_and_summed()
    {
        GroupLeader[][] samples =
        [
            [new("a", 1, "r1"), new("b", 5, "r2")],
            [new("a", 2, "r2"), new("b", 5, "r2")],
            // A group seen late starts from its first sample.
            [new("a", 2, "r2"), new("b", 6, "r3"), new("c", 9, "r1")],
        ];
        Assert.Equal(new ElectionCount(2, 2), ElectionCount.Of(samples));
    }
}
