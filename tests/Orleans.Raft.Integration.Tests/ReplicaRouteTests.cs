using Orleans.Raft.Gateway;

namespace Orleans.Raft.Integration.Tests;

/// <summary>The gateway's choice of replica: the known leader, else the next in turn, and a silent replica passed over for a while.</summary>
public sealed class ReplicaRouteTests
{
    private static readonly string[] Members = ["r1", "r2", "r3"];
    private static readonly TimeSpan PassOver = TimeSpan.FromSeconds(1);
    private readonly ManualClock _clock = new();

    [Fact]
    public void Without_a_leader_the_members_are_asked_in_turn_and_a_hint_is_followed()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        Assert.Equal(["r1", "r2", "r3", "r1"], Enumerable.Range(0, 4).Select(_ => route.Next(Members)));

        Assert.True(route.NotLeader("r1", "r3", Members));
        Assert.Equal("r3", route.Next(Members));
        route.Served("r3");
        Assert.Equal("r3", route.Next(Members));
    }

    [Fact]
    public void A_hint_to_itself_or_to_a_stranger_is_no_leader()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        Assert.False(route.NotLeader("r1", "r1", Members));
        Assert.False(route.NotLeader("r1", "r9", Members));
        Assert.False(route.NotLeader("r1", null, Members));
        Assert.Null(route.Leader);
    }

    [Fact]
    public void A_silent_leader_is_passed_over_and_a_hint_naming_it_is_not_followed_until_the_time_is_up()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        route.Served("r1");
        route.PassOver("r1");

        // The followers still name the dead leader until they elect another one.
        Assert.False(route.NotLeader("r2", "r1", Members));
        Assert.DoesNotContain("r1", Enumerable.Range(0, 4).Select(_ => route.Next(Members)));

        _clock.Advance(PassOver);
        Assert.True(route.NotLeader("r2", "r1", Members));
        Assert.Equal("r1", route.Next(Members));
    }

    [Fact]
    public void A_passed_over_replica_that_answers_is_trusted_again_at_once()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        route.PassOver("r2");
        Assert.True(route.IsPassedOver("r2"));
        route.NotLeader("r2", "r3", Members);
        Assert.False(route.IsPassedOver("r2"));

        route.PassOver("r3");
        route.Served("r3");
        Assert.Equal("r3", route.Next(Members));

        // A status probe that answers: the next hint to it is followed.
        route.PassOver("r1");
        Assert.False(route.NotLeader("r2", "r1", Members));
        route.Answered("r1");
        Assert.True(route.NotLeader("r2", "r1", Members));
        Assert.Equal("r1", route.Next(Members));
    }

    [Fact]
    public void When_every_member_is_passed_over_they_are_still_asked_in_turn()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        foreach (var m in Members) route.PassOver(m);
        Assert.Equal(["r1", "r2", "r3"], Enumerable.Range(0, 3).Select(_ => route.Next(Members)));
    }

    [Fact]
    public void A_read_any_replica_may_serve_asks_this_silos_replica_first_then_the_others_in_turn_and_the_passed_over_last()
    {
        var route = new ReplicaRoute(_clock, PassOver);
        string[] members = ["r1", "r2", "r3", "r4"];

        Assert.Equal(["r3", "r1", "r2", "r4"], route.ReadOrder(members, m => m == "r3"));
        // The others take turns at coming first, so reads spread over them; the leader is no one's preference.
        route.Served("r4");
        Assert.Equal(["r3", "r2", "r4", "r1"], route.ReadOrder(members, m => m == "r3"));
        Assert.Equal(["r3", "r4", "r1", "r2"], route.ReadOrder(members, m => m == "r3"));

        route.PassOver("r3");
        route.PassOver("r1");
        Assert.Equal(["r4", "r2", "r1", "r3"], route.ReadOrder(members, m => m == "r3"));
        _clock.Advance(PassOver);
        Assert.Equal(["r3", "r1", "r2", "r4"], route.ReadOrder(members, m => m == "r3"));
        Assert.Empty(route.ReadOrder([], _ => true));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
