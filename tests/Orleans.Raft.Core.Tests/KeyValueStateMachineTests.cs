using Orleans.Raft.Core.Tests.Harness;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

public sealed class KeyValueStateMachineTests
{
    private static readonly Guid Id1 = new("00000000-0000-0000-0000-000000000001");
    private static readonly Guid Id2 = new("00000000-0000-0000-0000-000000000002");
    private static readonly Guid Id3 = new("00000000-0000-0000-0000-000000000003");

    private static Command Set(string key, string? value, Guid id, long ts = 0) => new(CommandOperation.Set, key, value, null, id, ts);

    private static Command Get(string key) => new(CommandOperation.Get, key, null, null, Guid.Empty, 0);

    private static Command Delete(string key, Guid id) => new(CommandOperation.Delete, key, null, null, id, 0);

    private static Command Cas(string key, string? expected, string? value, Guid id) => new(CommandOperation.CompareAndSet, key, value, expected, id, 0);

    [Fact]
    public void Set_then_get_returns_the_value()
    {
        var sm = new KeyValueStateMachine();

        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "1"), sm.Apply(1, Set("a", "1", Id1)));
        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "1"), sm.Apply(2, Get("a")));
        Assert.Equal(new ApplyResult(ApplyStatus.NotFound, null), sm.Apply(3, Get("b")));
        Assert.Equal(1, sm.Count);
        Assert.Equal(3, sm.LastAppliedIndex);
    }

    [Fact]
    public void Set_overwrites_and_a_null_value_stores_the_empty_string()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Set("a", "1", Id1));
        sm.Apply(2, Set("a", null, Id2));

        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("", v);
    }

    [Fact]
    public void Delete_removes_and_reports_the_old_value()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Set("a", "1", Id1));

        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "1"), sm.Apply(2, Delete("a", Id2)));
        Assert.False(sm.TryGet("a", out _));
        Assert.Equal(new ApplyResult(ApplyStatus.NotFound, null), sm.Apply(3, Delete("a", Id3)));
    }

    [Fact]
    public void Compare_and_set_writes_only_on_a_match()
    {
        var sm = new KeyValueStateMachine();

        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "1"), sm.Apply(1, Cas("a", null, "1", Id1))); // create if absent
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "1"), sm.Apply(2, Cas("a", null, "x", Id2))); // exists now
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "1"), sm.Apply(3, Cas("a", "0", "x", Commands.IdOf(11))));
        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "2"), sm.Apply(4, Cas("a", "1", "2", Commands.IdOf(12))));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, null), sm.Apply(5, Cas("b", "1", "2", Commands.IdOf(13)))); // absent
        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("2", v);
        Assert.False(sm.TryGet("b", out _));
    }

    [Fact]
    public void A_retried_request_is_applied_once_and_returns_the_first_result()
    {
        var sm = new KeyValueStateMachine();
        var first = sm.Apply(1, Cas("a", null, "1", Id1));
        sm.Apply(2, Set("a", "other", Id2));

        // The client retried request Id1 after a timeout; it was committed again at index 3.
        var retry = sm.Apply(3, Cas("a", null, "1", Id1));

        Assert.Equal(first, retry);
        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("other", v);
        Assert.Equal(3, sm.LastAppliedIndex);
    }

    [Fact]
    public void Requests_without_an_id_are_never_deduplicated()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Cas("a", null, "1", Guid.Empty));

        Assert.Equal(ApplyStatus.CompareFailed, sm.Apply(2, Cas("a", null, "1", Guid.Empty)).Status);
    }

    [Fact]
    public void Deduplication_forgets_requests_older_than_the_window()
    {
        var sm = new KeyValueStateMachine(TimeSpan.FromSeconds(10));
        sm.Apply(1, Set("a", "1", Id1, ts: 1_000));
        sm.Apply(2, Set("a", "2", Id2, ts: 20_000)); // ages Id1 out

        sm.Apply(3, Set("a", "1", Id1, ts: 20_001));

        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("1", v); // applied again: the window is the contract, not forever
    }

    [Fact]
    public void Applying_an_index_twice_or_backwards_throws()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Set("a", "1", Id1));
        sm.ApplyNoOp(2);

        Assert.Throws<InvalidOperationException>(() => sm.Apply(2, Set("a", "2", Id2)));
        Assert.Throws<InvalidOperationException>(() => sm.Apply(1, Set("a", "2", Id2)));
        Assert.Throws<InvalidOperationException>(() => sm.ApplyNoOp(2));
        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("1", v);
    }

    [Theory]
    [InlineData(CommandOperation.Set, "key", "value", null)]
    [InlineData(CommandOperation.Get, "key", null, null)]
    [InlineData(CommandOperation.Delete, "", null, null)]
    [InlineData(CommandOperation.CompareAndSet, "k", "new", "old")]
    [InlineData(CommandOperation.CompareAndSet, "ключ ✓", "", "")]
    public void A_command_survives_encode_and_decode(CommandOperation op, string key, string? value, string? expected)
    {
        var c = new Command(op, key, value, expected, Commands.IdOf(14), 1_234_567_890_123);

        Assert.Equal(c, Command.Decode(c.Encode()));
    }

    [Fact]
    public void Decode_rejects_an_unknown_format()
    {
        var bytes = Set("a", "1", Id1).Encode();
        bytes[0] = 99;

        Assert.Throws<InvalidDataException>(() => Command.Decode(bytes));
    }

    [Fact]
    public void The_same_commands_give_the_same_state()
    {
        var a = new KeyValueStateMachine();
        var b = new KeyValueStateMachine();
        var commands = new[] { Set("x", "1", Id1), Cas("x", "1", "2", Id2), Delete("y", Id3), Set("y", "3", Commands.IdOf(15)) };
        for (var i = 0; i < commands.Length; i++)
        {
            var bytes = commands[i].Encode();
            Assert.Equal(a.Apply(i + 1, Command.Decode(bytes)), b.Apply(i + 1, Command.Decode(bytes)));
        }

        Assert.Equal(a.Data.OrderBy(p => p.Key), b.Data.OrderBy(p => p.Key));
    }
}
