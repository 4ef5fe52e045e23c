using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

/// <summary>Client sessions (Raft thesis §6.3): retries are applied once, and only the log ends a session.</summary>
public sealed class DeduplicationTests
{
    private static Command Cas(long session, long seq, string? expected, string value, long acked = 0) =>
        new(CommandOperation.CompareAndSet, "k", value, expected, session, seq, acked);

    private static Command Set(long session, long seq, string value, long acked = 0) => new(CommandOperation.Set, "k", value, null, session, seq, acked);

    private static Command Append(long session, long seq, string suffix) => new(CommandOperation.Append, "k", suffix, null, session, seq);

    /// <summary>A state machine with one session, opened by the entry at index 1 (so its id is 1).</summary>
    private static KeyValueStateMachine WithSession()
    {
        var sm = new KeyValueStateMachine();
        Assert.Equal(ApplyStatus.Ok, sm.Apply(1, Command.RegisterSession()).Status);
        Assert.True(sm.HasSession(1));
        return sm;
    }

    [Fact]
    public void A_retried_failed_compare_reports_the_value_it_found_the_first_time()
    {
        var sm = WithSession();
        sm.Apply(2, Set(1, 1, "a"));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), sm.Apply(3, Cas(1, 2, "x", "y")));
        sm.Apply(4, Set(1, 3, "b"));

        // The retry must answer as the original did (it found "a"), not with today's value, nor "absent".
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), sm.Apply(5, Cas(1, 2, "x", "y")));
        Assert.Equal("b", sm.Data["k"]);
    }

    [Fact]
    public void A_failed_compare_keeps_only_a_bounded_summary_of_a_large_value_it_found()
    {
        var sm = WithSession();
        var large = new string('v', KeyValueStateMachine.MaxRecordedValueChars + 1);
        sm.Apply(2, Set(1, 1, large));
        var before = sm.TakeSnapshot().Length;
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, large), sm.Apply(3, Cas(1, 2, "x", "y")));

        var retry = sm.Apply(4, Cas(1, 2, "x", "y"));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, null, ValueOmitted: true), retry);
        Assert.True(sm.TakeSnapshot().Length - before < large.Length, "the record must not keep a second copy of the value");
    }

    [Fact]
    public void An_append_retried_in_its_session_is_applied_once()
    {
        var sm = WithSession();
        sm.Apply(2, Append(1, 1, "x"));
        sm.Apply(3, Append(1, 2, "y"));
        Assert.Equal(ApplyStatus.Ok, sm.Apply(4, Append(1, 1, "x")).Status);
        Assert.Equal(ApplyStatus.Ok, sm.Apply(5, Append(1, 2, "y")).Status);

        Assert.Equal("xy", sm.Data["k"]);
    }

    [Fact]
    public void Retries_survive_a_snapshot_and_an_expired_session_answers_SessionExpired_without_applying()
    {
        var sm = WithSession();
        sm.Apply(2, Set(1, 1, "a"));
        sm.Apply(3, Cas(1, 2, "zzz", "y"));
        var restored = new KeyValueStateMachine();
        restored.Restore(sm.TakeSnapshot());

        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "a"), restored.Apply(4, Set(1, 1, "a")));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "a"), restored.Apply(5, Cas(1, 2, "zzz", "y")));
        restored.Apply(6, new Command(CommandOperation.Set, "k", "b", null));

        // Only the log expires a session; afterwards a retry is refused, never applied a second time.
        Assert.Equal(ApplyStatus.Ok, restored.Apply(7, Command.ExpireSession(1)).Status);
        Assert.Equal(ApplyStatus.SessionExpired, restored.Apply(8, Set(1, 1, "a")).Status);
        Assert.Equal(ApplyStatus.SessionExpired, restored.Apply(9, Append(1, 3, "!")).Status);
        Assert.Equal("b", restored.Data["k"]);
        Assert.Equal(ApplyStatus.SessionExpired, restored.Apply(10, Set(77, 1, "c")).Status); // never opened
        Assert.Equal("b", restored.Data["k"]);
    }

    [Fact]
    public void Acknowledged_results_are_dropped_and_a_retry_of_one_is_refused()
    {
        var sm = WithSession();
        sm.Apply(2, Append(1, 1, "a"));
        sm.Apply(3, Append(1, 2, "b"));
        sm.Apply(4, new Command(CommandOperation.Append, "k", "c", null, 1, 3, AckedBelow: 3)); // the client is done with 1 and 2

        Assert.Equal(ApplyStatus.SessionExpired, sm.Apply(5, Append(1, 1, "a")).Status);
        Assert.Equal("abc", sm.Data["k"]);
    }

    [Fact]
    public void A_session_keeps_a_bounded_number_of_results_and_never_applies_a_forgotten_one_again()
    {
        var sm = WithSession();
        var index = 1L;
        for (var seq = 1; seq <= KeyValueStateMachine.MaxResultsPerSession + 1; seq++) sm.Apply(++index, Append(1, seq, "."));

        Assert.Equal(ApplyStatus.SessionExpired, sm.Apply(++index, Append(1, 1, ".")).Status);
        Assert.Equal(ApplyStatus.Ok, sm.Apply(++index, Append(1, 2, ".")).Status);
        Assert.Equal(KeyValueStateMachine.MaxResultsPerSession + 1, sm.Data["k"].Length);
    }

    [Fact]
    public void Sessions_and_their_results_survive_a_snapshot_byte_for_byte()
    {
        var sm = WithSession();
        sm.Apply(2, Command.RegisterSession());
        sm.Apply(3, Append(2, 5, "x"));
        sm.Apply(4, Cas(1, 9, "nope", "y"));
        var bytes = sm.TakeSnapshot();
        var restored = new KeyValueStateMachine();
        restored.Restore(new MemoryStream(bytes));

        Assert.Equal(bytes, restored.TakeSnapshot());
        Assert.Equal([1L, 2L], restored.Sessions.Order());
        Assert.Equal(ApplyStatus.Ok, restored.Apply(5, Append(2, 5, "x")).Status);
        Assert.Equal("x", restored.Data["k"]);
    }
}
