using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

public sealed class DeduplicationTests
{
    private static Command Cas(Guid id, string? expected, string value, long ts = 1000) => new(CommandOperation.CompareAndSet, "k", value, expected, id, ts);

    private static Command Set(Guid id, string value, long ts = 1000) => new(CommandOperation.Set, "k", value, null, id, ts);

    [Fact]
    public void A_retried_failed_compare_reports_the_value_it_found_the_first_time()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Set(Guid.NewGuid(), "a"));
        var id = Guid.NewGuid();
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), sm.Apply(2, Cas(id, "x", "y")));
        sm.Apply(3, Set(Guid.NewGuid(), "b"));

        // The retry must answer as the original did (it found "a"), not with today's value, nor "absent".
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), sm.Apply(4, Cas(id, "x", "y")));
        Assert.Equal("b", sm.Data["k"]);
    }

    [Fact]
    public void Retries_survive_a_snapshot_and_expire_after_the_window()
    {
        var sm = new KeyValueStateMachine();
        var set = Guid.NewGuid();
        var cas = Guid.NewGuid();
        sm.Apply(1, Set(set, "a"));
        sm.Apply(2, Cas(cas, "zzz", "y"));
        var restored = new KeyValueStateMachine();
        restored.Restore(sm.TakeSnapshot());

        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "a"), restored.Apply(3, Set(set, "a")));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), restored.Apply(4, Cas(cas, "zzz", "y")));
        Assert.Equal(4, restored.LastAppliedIndex);

        // Past the window the id is forgotten: the same command is a new write.
        var late = 1000 + (long)KeyValueStateMachine.DefaultDeduplicationWindow.TotalMilliseconds + 1;
        restored.Apply(5, Set(Guid.NewGuid(), "b", late));
        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "a"), restored.Apply(6, Set(set, "a", late)));
        Assert.Equal("a", restored.Data["k"]);
    }
}
