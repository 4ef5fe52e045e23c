using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests;

public sealed class KeyValueStateMachineTests
{
    // Sequence numbers in session 0, i.e. no session: these tests are about the map, not de-duplication.
    private const long Id1 = 1;
    private const long Id2 = 2;
    private const long Id3 = 3;

    private static Command Set(string key, string? value, long id) => new(CommandOperation.Set, key, value, null, 0, id);

    private static Command Get(string key) => new(CommandOperation.Get, key, null, null);

    private static Command Delete(string key, long id) => new(CommandOperation.Delete, key, null, null, 0, id);

    private static Command Cas(string key, string? expected, string? value, long id) => new(CommandOperation.CompareAndSet, key, value, expected, 0, id);

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
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, "1"), sm.Apply(3, Cas("a", "0", "x", 11)));
        Assert.Equal(new ApplyResult(ApplyStatus.Ok, "2"), sm.Apply(4, Cas("a", "1", "2", 12)));
        Assert.Equal(new ApplyResult(ApplyStatus.CompareFailed, null), sm.Apply(5, Cas("b", "1", "2", 13))); // absent
        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("2", v);
        Assert.False(sm.TryGet("b", out _));
    }

    [Fact]
    public void A_retried_request_is_applied_once_and_returns_the_first_result()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Command.RegisterSession());
        var first = sm.Apply(2, new Command(CommandOperation.CompareAndSet, "a", "1", null, 1, 1));
        sm.Apply(3, Set("a", "other", Id2));

        // The client retried request 1 of session 1 after a timeout; it was committed again at index 4.
        var retry = sm.Apply(4, new Command(CommandOperation.CompareAndSet, "a", "1", null, 1, 1));

        Assert.Equal(first, retry);
        Assert.True(sm.TryGet("a", out var v));
        Assert.Equal("other", v);
        Assert.Equal(4, sm.LastAppliedIndex);
    }

    [Fact]
    public void Requests_without_a_session_are_never_deduplicated()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Cas("a", null, "1", Id1));

        Assert.Equal(ApplyStatus.CompareFailed, sm.Apply(2, Cas("a", null, "1", Id1)).Status);
    }

    [Fact]
    public void Append_creates_then_extends_and_counts_the_state_size()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, new Command(CommandOperation.Append, "a", "x", null));
        sm.Apply(2, new Command(CommandOperation.Append, "a", "yz", null));

        Assert.Equal("xyz", sm.Data["a"]);
        Assert.Equal(KeyValueStateMachine.EntryBytes("a", "xyz"), sm.DataBytes);
        sm.Apply(3, Delete("a", Id3));
        Assert.Equal(0, sm.DataBytes);
    }

    /// <summary>
    /// A restored replica rebuilds its map from the snapshot, so its map's layout differs from one that kept running
    /// and reused the slot of a deleted key. Snapshots in insertion order then differed at the same index.
    /// </summary>
    [Fact]
    public void A_restored_replica_and_one_that_never_restarted_take_byte_identical_snapshots_after_deletes()
    {
        var running = new KeyValueStateMachine();
        running.Apply(1, Set("a", "1", Id1));
        running.Apply(2, Set("b", "2", Id2));
        running.Apply(3, Delete("a", Id3));
        var restored = new KeyValueStateMachine();
        restored.Restore(running.TakeSnapshot());

        foreach (var sm in new[] { running, restored }) sm.Apply(4, Set("c", "3", 4));

        Assert.Equal(running.TakeSnapshot(), restored.TakeSnapshot());
    }

    [Fact]
    public void A_snapshot_streams_and_restores_from_a_stream()
    {
        var sm = new KeyValueStateMachine();
        for (var i = 1; i <= 100; i++) sm.Apply(i, Set($"k{i % 37}", new string('v', i), i));
        using var stream = new MemoryStream();
        sm.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = new KeyValueStateMachine();
        restored.Restore(stream);

        Assert.Equal(sm.TakeSnapshot(), restored.TakeSnapshot());
        Assert.Equal(sm.DataBytes, restored.DataBytes);
    }

    [Fact]
    public void A_malformed_snapshot_changes_nothing()
    {
        var sm = new KeyValueStateMachine();
        sm.Apply(1, Set("a", "1", Id1));
        var before = sm.TakeSnapshot();
        var other = new KeyValueStateMachine();
        for (var i = 1; i <= 5; i++) other.Apply(i, Set($"k{i}", "v", i));
        var truncated = other.TakeSnapshot()[..^3];

        Assert.ThrowsAny<Exception>(() => sm.Restore(truncated));
        Assert.Equal(before, sm.TakeSnapshot());
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
    [InlineData(CommandOperation.Append, "k", "suffix", null)]
    [InlineData(CommandOperation.RegisterSession, "", null, null)]
    public void A_command_survives_encode_and_decode(CommandOperation op, string key, string? value, string? expected)
    {
        var c = new Command(op, key, value, expected, 1_234_567_890_123, 14, 9);

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
        var commands = new[] { Set("x", "1", Id1), Cas("x", "1", "2", Id2), Delete("y", Id3), Set("y", "3", 15) };
        for (var i = 0; i < commands.Length; i++)
        {
            var bytes = commands[i].Encode();
            Assert.Equal(a.Apply(i + 1, Command.Decode(bytes)), b.Apply(i + 1, Command.Decode(bytes)));
        }

        Assert.Equal(a.Data.OrderBy(p => p.Key), b.Data.OrderBy(p => p.Key));
    }
}
