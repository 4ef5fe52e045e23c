using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests;

public sealed class RaftLogAndProgressTests
{
    [Fact]
    public void Term_lookups_cover_the_log_and_index_zero_only()
    {
        var log = Raw.LogWithTerms(1, 1, 2, 2, 2, 4);

        Assert.Equal(0, log.TermAt(0));
        Assert.Equal(2, log.TermAt(3));
        Assert.Null(log.TermAt(7));
        Assert.Equal(3, log.FirstIndexOfTermAt(5));
        Assert.Equal(1, log.FirstIndexOfTermAt(2));
        Assert.Equal(5, log.LastIndexOfTerm(2, 6));
        Assert.Equal(4, log.LastIndexOfTerm(2, 4));
        Assert.Equal(0, log.LastIndexOfTerm(3, 6)); // no entry of term 3
        Assert.Equal(0, log.LastIndexOfTerm(4, 5)); // term 4 exists only above maxIndex
    }

    [Fact]
    public void Slice_respects_count_and_bytes_but_always_returns_one_entry()
    {
        var log = new RaftLog(Enumerable.Range(1, 10).Select(i => new LogEntry(i, 1, LogEntryType.Command, new byte[100])));

        Assert.Equal(10, log.Slice(1, 10).Count);
        Assert.Equal(3, log.Slice(1, 10, maxCount: 3).Count);
        Assert.Equal(2, log.Slice(1, 10, maxBytes: 2 * 124).Count);
        Assert.Single(log.Slice(1, 10, maxBytes: 1));
        Assert.Empty(log.Slice(11, 20));
    }

    [Fact]
    public void Truncate_and_append_keep_the_log_contiguous()
    {
        var log = Raw.LogWithTerms(1, 1, 1);
        log.TruncateFrom(2);
        Assert.Equal(1, log.LastIndex);
        log.Append(Raw.Entry(2, 2));
        Assert.Equal(2, log.LastTerm);

        Assert.Throws<RaftInvariantException>(() => log.Append(Raw.Entry(4, 2)));
        Assert.Throws<RaftInvariantException>(() => new RaftLog([Raw.Entry(1, 1), Raw.Entry(3, 1)]));
    }

    [Theory]
    [InlineData(3, 2, true)]
    [InlineData(2, 2, false)]
    [InlineData(1, 3, true)]
    [InlineData(9, 1, false)]
    public void Up_to_date_compares_last_term_then_length(long lastIndex, long lastTerm, bool upToDate) =>
        Assert.Equal(upToDate, Raw.LogWithTerms(1, 2, 2).IsUpToDate(lastIndex, lastTerm));

    [Fact]
    public void A_probing_follower_gets_one_message_at_a_time()
    {
        var p = new Progress(5, maxInflight: 4);
        Assert.False(p.IsPaused);
        p.OnSent(7);
        Assert.True(p.IsPaused);
        Assert.Equal(5, p.NextIndex); // probe does not advance optimistically

        // A reject of the latest probe moves nextIndex back to the hint and unpauses.
        Assert.True(p.MaybeDecreaseTo(4, nextHint: 2));
        Assert.Equal(2, p.NextIndex);
        Assert.False(p.IsPaused);
        Assert.False(p.MaybeDecreaseTo(4, nextHint: 1)); // a duplicate of the same reject is stale now
    }

    [Fact]
    public void A_replicating_follower_streams_up_to_the_inflight_window()
    {
        var p = new Progress(1, maxInflight: 2);
        Assert.True(p.MaybeUpdate(3));
        p.BecomeReplicate();
        Assert.Equal(4, p.NextIndex);

        p.OnSent(5);
        p.OnSent(8);
        Assert.Equal(9, p.NextIndex);
        Assert.True(p.IsPaused);

        Assert.True(p.MaybeUpdate(5)); // frees the first message
        Assert.False(p.IsPaused);
        Assert.False(p.MaybeDecreaseTo(4, 1)); // a reject of something already matched is an old reply
        Assert.True(p.MaybeDecreaseTo(8, 6)); // a real gap: back to probing after the match
        Assert.Equal(ProgressState.Probe, p.State);
        Assert.Equal(6, p.NextIndex);
    }
}
