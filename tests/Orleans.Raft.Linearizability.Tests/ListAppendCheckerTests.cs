using Xunit.Abstractions;

namespace Orleans.Raft.Linearizability.Tests;

public sealed class ListAppendCheckerTests(ITestOutputHelper output)
{
    private int _id;

    private AppendOp Append(long invoke, long complete, string element, OpStatus status = OpStatus.Ok) =>
        new() { Id = ++_id, Key = "l", Kind = AppendOpKind.Append, Element = element, Invoke = invoke, Complete = complete, Status = status };

    private AppendOp Read(long invoke, long complete, params string[] list) =>
        new() { Id = ++_id, Key = "l", Kind = AppendOpKind.Read, Invoke = invoke, Complete = complete, Status = OpStatus.Ok, List = list };

    private string Violation(params AppendOp[] history)
    {
        var result = ListAppendChecker.Check(history);
        output.WriteLine(result.Report());
        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        return result.Keys.Single().Explanation!;
    }

    [Fact]
    public void Reads_that_grow_in_one_order_pass_and_an_unknown_append_may_appear_or_not()
    {
        var result = ListAppendChecker.Check([
            Append(0, 10, "a"), Read(20, 30, "a"), Append(25, 0, "x", OpStatus.Unknown), Append(40, 50, "b"),
            Read(41, 49, "a"), Read(60, 70, "a", "b"), Read(80, 90, "a", "b", "x"), Append(100, 110, "c", OpStatus.Failed)]);
        Assert.True(result.IsLinearizable, result.Report());
    }

    [Fact]
    public void Two_reads_in_different_orders_are_a_violation() =>
        Assert.Contains("not a prefix", Violation(Append(0, 100, "a"), Append(0, 100, "b"), Read(10, 20, "a", "b"), Read(10, 20, "b", "a")));

    [Fact]
    public void A_read_that_misses_an_acknowledged_append_is_a_violation() =>
        Assert.Contains("misses a", Violation(Append(0, 10, "a"), Read(20, 30)));

    [Fact]
    public void A_read_that_shrinks_after_another_is_a_violation() =>
        Assert.Contains("saw 2", Violation(Append(0, 100, "a"), Append(0, 100, "b"), Read(10, 20, "a", "b"), Read(30, 40, "a")));

    [Fact]
    public void An_element_never_appended_a_failed_one_or_a_duplicate_is_a_violation()
    {
        Assert.Contains("never appended", Violation(Read(0, 10, "z")));
        Assert.Contains("failed", Violation(Append(0, 10, "a", OpStatus.Failed), Read(20, 30, "a")));
        Assert.Contains("twice", Violation(Append(0, 10, "a"), Read(20, 30, "a", "a")));
    }

    [Fact]
    public void Appends_ordered_against_real_time_are_a_violation() =>
        Assert.Contains("ordered before", Violation(Append(0, 10, "a"), Append(20, 30, "b"), Read(40, 50, "b", "a")));

    [Fact]
    public void A_read_of_an_element_whose_append_began_after_it_ended_is_a_violation() =>
        Assert.Contains("before its append", Violation(Read(0, 10, "a"), Append(20, 30, "a", OpStatus.Unknown)));
}
