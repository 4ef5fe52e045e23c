using Orleans.Raft.Silo;

namespace Orleans.Raft.Web.Tests;

public sealed class ConsoleTimelineTests
{
    private static ConsoleTimeline Filled(int capacity, int events)
    {
        var timeline = new ConsoleTimeline(TimeProvider.System, capacity);
        for (var i = 1; i <= events; i++) timeline.Add("operator", "g", $"event {i}");
        return timeline;
    }

    [Fact]
    public void Ids_count_up_from_one_and_a_page_after_N_holds_the_later_events_oldest_first()
    {
        var timeline = Filled(10, 5);
        var page = timeline.After(2);
        Assert.Equal([3L, 4L, 5L], page.Events.Select(e => e.Id));
        Assert.Equal(["event 3", "event 4", "event 5"], page.Events.Select(e => e.Text));
        Assert.Equal(5, page.Last);
        Assert.Equal(0, page.Missed);
        Assert.False(page.More);
    }

    [Fact]
    public void A_page_after_the_last_event_is_empty_and_keeps_the_last_id()
    {
        var timeline = Filled(10, 3);
        var page = timeline.After(3);
        Assert.Empty(page.Events);
        Assert.Equal(3, page.Last);
        Assert.Equal(0, page.Missed);
    }

    [Fact]
    public void The_ring_holds_only_its_capacity_and_counts_what_a_late_reader_missed()
    {
        var timeline = Filled(4, 10);
        var all = timeline.After(0);
        Assert.Equal([7L, 8L, 9L, 10L], all.Events.Select(e => e.Id));
        Assert.Equal(6, all.Missed);
        var fromFour = timeline.After(4);
        Assert.Equal(2, fromFour.Missed);
        Assert.Equal(7, fromFour.Events[0].Id);
        Assert.Equal(0, timeline.After(6).Missed);
    }

    [Fact]
    public void A_limited_page_says_there_is_more_and_the_next_page_continues_after_it()
    {
        var timeline = Filled(100, 7);
        var first = timeline.After(0, limit: 3);
        Assert.Equal([1L, 2L, 3L], first.Events.Select(e => e.Id));
        Assert.True(first.More);
        Assert.Equal(3, first.Last);
        var second = timeline.After(first.Last, limit: 3);
        Assert.Equal([4L, 5L, 6L], second.Events.Select(e => e.Id));
        var third = timeline.After(second.Last, limit: 3);
        Assert.Equal([7L], third.Events.Select(e => e.Id));
        Assert.False(third.More);
    }

    [Fact]
    public void A_reader_from_an_earlier_run_with_a_higher_id_gets_nothing_and_a_new_epoch()
    {
        var before = Filled(10, 8);
        var after = Filled(10, 2);
        Assert.NotEqual(before.Epoch, after.Epoch);
        var page = after.After(8);
        Assert.Empty(page.Events);
        Assert.Equal(2, page.Last);
        Assert.Equal(0, page.Missed);
    }

    [Fact]
    public void An_event_keeps_its_kind_group_and_whether_it_failed()
    {
        var timeline = new ConsoleTimeline(TimeProvider.System, 3);
        var e = timeline.Add("operator", "g1", "remove r9: refused", failed: true);
        var read = Assert.Single(timeline.After(0).Events);
        Assert.Equal(e, read);
        Assert.Equal(("operator", "g1", true), (read.Kind, read.Group, read.Failed));
    }
}
