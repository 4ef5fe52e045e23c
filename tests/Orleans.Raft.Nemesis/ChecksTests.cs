using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>The end-of-run checks on hand-made histories, so a nemesis failure can be trusted.</summary>
public sealed class ChecksTests
{
    private static HistoryOp Set(int id, long invoke, long complete, string value, OpStatus status = OpStatus.Ok) =>
        new() { Id = id, Key = "k", Kind = OpKind.Set, Value = value, Invoke = invoke, Complete = complete, Status = status };

    private static Dictionary<string, string?> Final(string? value) => new() { ["k"] = value };

    [Fact]
    public void The_last_acknowledged_write_must_survive()
    {
        var history = new[] { Set(1, 0, 10, "a"), Set(2, 20, 30, "b") };
        Assert.Empty(Checks.LostWrites(history, Final("b")));
        Assert.Contains("was lost", Assert.Single(Checks.LostWrites(history, Final("a"))));
        Assert.Single(Checks.LostWrites(history, Final(null)));
    }

    [Fact]
    public void Either_of_two_concurrent_last_writes_may_survive_but_not_an_earlier_one()
    {
        var history = new[] { Set(1, 0, 10, "a"), Set(2, 20, 40, "b"), Set(3, 25, 35, "c") };
        Assert.Empty(Checks.LostWrites(history, Final("b")));
        Assert.Empty(Checks.LostWrites(history, Final("c")));
        Assert.Contains("should have replaced it", Assert.Single(Checks.LostWrites(history, Final("a"))));
        Assert.Contains("no write wrote", Assert.Single(Checks.LostWrites(history, Final("z"))));
    }

    [Fact]
    public void A_write_with_an_unknown_outcome_may_or_may_not_replace_the_last_acknowledged_one()
    {
        var history = new[] { Set(1, 0, 10, "a"), Set(2, 5, 0, "b", OpStatus.Unknown) };
        Assert.Empty(Checks.LostWrites(history, Final("a")));
        Assert.Empty(Checks.LostWrites(history, Final("b")));
    }

    [Fact]
    public void Failed_writes_never_explain_a_value()
    {
        var history = new[] { Set(1, 0, 10, "a"), Set(2, 20, 30, "b", OpStatus.Failed) };
        Assert.Empty(Checks.LostWrites(history, Final("a")));
        Assert.Single(Checks.LostWrites(history, Final("b")));
    }

    [Fact]
    public void Logs_match_when_committed_terms_agree_and_compacted_or_uncommitted_entries_are_ignored()
    {
        var logs = new Dictionary<string, (long, LogPosition[])>
        {
            ["r1"] = (3, [new(1, 1), new(2, 1), new(3, 2)]),
            ["r2"] = (3, [new(2, 1), new(3, 2)]),
            // Index 3 differs but is not committed on r3, so it is not compared.
            ["r3"] = (2, [new(1, 1), new(2, 1), new(3, 3)]),
        };
        Assert.Empty(Checks.LogMismatches(logs, out var compared));
        Assert.Equal(3, compared);
    }

    [Fact]
    public void A_committed_index_with_two_terms_is_a_mismatch()
    {
        var logs = new Dictionary<string, (long, LogPosition[])>
        {
            ["r1"] = (2, [new(1, 1), new(2, 1)]),
            ["r2"] = (2, [new(1, 1), new(2, 2)]),
        };
        Assert.Equal("index 2: r1 has term 1, r2 has term 2 (both committed)", Assert.Single(Checks.LogMismatches(logs, out _)));
    }
}
