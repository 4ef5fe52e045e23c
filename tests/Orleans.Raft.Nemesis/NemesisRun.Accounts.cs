using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// Two accounts that one hash tag keeps in one group: clients move a value between them in a transaction that
/// compares both with what the client last saw (and reads both when that is stale), and read both in another. The
/// checker takes each as one operation on both keys.
/// </summary>
public sealed partial class NemesisRun
{
    private const string AccountTag = "{acct}";
    private const string AccountA = AccountTag + "a";
    private const string AccountB = AccountTag + "b";
    private const string InitialA = "init-a";
    private const string InitialB = "init-b";

    private string AccountGroup => _shards.GroupOf(AccountA);

    /// <summary>Puts both accounts before the clients start, so that every transfer compares values.</summary>
    private async Task InitAccountsAsync()
    {
        var deadline = _clock.Elapsed + Patience;
        var init = new KvTxn([], [KvTxnOp.Put(AccountA, InitialA), KvTxnOp.Put(AccountB, InitialB)], []);
        while (true)
        {
            var (op, _) = await ExecuteAsync(-1, KvRequest.Transaction(init));
            if (op.Status == OpStatus.Ok) return;
            if (_clock.Elapsed > deadline) throw new TimeoutException($"the accounts could not be set up within {Patience}");
            await Task.Delay(200);
        }
    }

    private static KvTxn Transfer(Dictionary<string, string?> lastSeen, string value) => new(
        [KvCompare.ValueIs(AccountA, lastSeen.GetValueOrDefault(AccountA) ?? InitialA), KvCompare.ValueIs(AccountB, lastSeen.GetValueOrDefault(AccountB) ?? InitialB)],
        [KvTxnOp.Put(AccountA, value), KvTxnOp.Put(AccountB, value)],
        [KvTxnOp.Get(AccountA), KvTxnOp.Get(AccountB)]);

    private static KvTxn ReadBoth() => new([], [KvTxnOp.Get(AccountA), KvTxnOp.Get(AccountB)], []);

    /// <summary>What a client learns of the accounts from a transaction's answer.</summary>
    private static void Remember(HistoryOp op, Dictionary<string, string?> lastSeen)
    {
        if (op is not { Status: OpStatus.Ok, Txn: { } txn, Outcome: { } outcome }) return;
        var steps = outcome.Succeeded ? txn.Success : txn.Failure;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Kind == TxnStepKind.Put) lastSeen[steps[i].Key] = steps[i].Value;
            else if (steps[i].Kind == TxnStepKind.Get && outcome.Reads is { } reads) lastSeen[steps[i].Key] = reads[i];
        }
    }

    private static Transaction ToChecker(KvTxn txn) => new(
        [.. txn.Compares.Select(c => new TxnCondition(c.Key,
            c.Target switch
            {
                KvCompareTarget.Value => ConditionTarget.Value,
                KvCompareTarget.Version => ConditionTarget.Version,
                KvCompareTarget.CreateRevision => ConditionTarget.CreateRevision,
                KvCompareTarget.ModRevision => ConditionTarget.ModRevision,
                _ => throw new ArgumentException($"the checker does not model compares on {c.Target}"),
            },
            c.Operator switch
            {
                KvCompareOperator.Equal => ConditionOperator.Equal,
                KvCompareOperator.NotEqual => ConditionOperator.NotEqual,
                KvCompareOperator.Less => ConditionOperator.Less,
                _ => ConditionOperator.Greater,
            },
            c.Value, c.Number))],
        [.. txn.Success.Select(ToChecker)],
        [.. txn.Failure.Select(ToChecker)]);

    private static TxnStep ToChecker(KvTxnOp op) => op.RangeEnd is not null
        ? throw new ArgumentException("the checker models single-key transaction steps only")
        : op.Type switch
        {
            KvTxnOpType.Put => TxnStep.Put(op.Key, op.Value ?? ""),
            KvTxnOpType.Delete => TxnStep.Delete(op.Key),
            _ => TxnStep.Get(op.Key),
        };

    /// <summary>The answer's branch, and each step's read when it carries them (a retry answered from the session's record does not).</summary>
    private static TxnOutcome ToChecker(KvTxn asked, KvTxnResult answer)
    {
        var steps = answer.Succeeded ? asked.Success : asked.Failure;
        if (answer.Results.Length != steps.Length) return new TxnOutcome(answer.Succeeded, null);
        return new TxnOutcome(answer.Succeeded, [.. answer.Results.Select(r => r.Type == KvTxnOpType.Range ? r.Entries.FirstOrDefault()?.Value : null)]);
    }
}
