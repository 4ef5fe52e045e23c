using Xunit.Abstractions;

namespace Orleans.Raft.Linearizability.Tests;

public sealed class HistoryFileTests(ITestOutputHelper output)
{
    [Fact]
    public void A_history_written_and_read_back_is_the_same_and_checks_the_same()
    {
        var register = SyntheticHistory.Generate(seed: 3, operations: 2_000, keys: 4, clients: 4);
        register.Add(new HistoryOp
        {
            Id = 5_000,
            Key = "a",
            Kind = OpKind.Transaction,
            Invoke = 1,
            Complete = 2,
            Status = OpStatus.Ok,
            Txn = new Transaction([TxnCondition.ValueIs("a", "1")], [TxnStep.Put("b", "2")], [TxnStep.Get("a")]),
            Outcome = new TxnOutcome(false, [null]),
        });
        AppendOp[] append = [new() { Id = 1, Key = "l", Kind = AppendOpKind.Read, Invoke = 0, Complete = 1, Status = OpStatus.Ok, List = ["x", "y"] }];
        var path = Path.GetTempFileName();
        try
        {
            HistoryFile.Write(path, register, append);
            var (back, backAppend) = HistoryFile.Read(path);
            Assert.Equal(register.Select(op => op.ToString()), back.Select(op => op.ToString()));
            Assert.Equal(["x", "y"], backAppend.Single().List);
            Assert.Equal(QuiescentChecker.Check(register).Verdict, QuiescentChecker.Check(back).Verdict);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_line_that_is_not_a_history_line_is_an_error_that_names_it()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["{\"append\":{\"id\":1,\"key\":\"l\",\"kind\":\"Read\",\"invoke\":0,\"status\":\"Ok\"}}", "not json"]);
            var error = Assert.Throws<FormatException>(() => HistoryFile.Read(path));
            output.WriteLine(error.Message);
            Assert.Contains(":2:", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_synthetic_history_is_linearizable_and_cut_into_many_pieces()
    {
        var history = SyntheticHistory.Generate(seed: 1, operations: 20_000, keys: 4);
        Assert.Contains(history, op => op.Status == OpStatus.Unknown);
        var result = QuiescentChecker.Check(history);
        Assert.True(result.IsLinearizable, result.Report());
        Assert.All(result.Keys, k => Assert.True(k.Pieces > 10, $"{k.Key}: {k.Pieces} pieces"));
    }
}
