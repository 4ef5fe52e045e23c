namespace Orleans.Raft.Linearizability;

/// <summary>
/// The sequential specification of a set of keys with etcd's metadata, for histories with transactions: a state is
/// one <see cref="KeyState"/> per key, indexed as the partition numbers its keys.
/// </summary>
public static class MultiKeyModel
{
    /// <summary>Whether op may take effect on state, and the state after it (a new array when it changes).</summary>
    public static bool Step(KeyState[] state, IReadOnlyDictionary<string, int> index, HistoryOp op, out KeyState[] next)
    {
        next = state;
        var unknown = op.Status == OpStatus.Unknown;
        switch (op.Kind)
        {
            case OpKind.Transaction:
                return StepTxn(state, index, op, out next);
            case OpKind.Get:
                return unknown || (op.Status == OpStatus.Ok ? state[index[op.Key]].Value is { } v && v == op.Output : !state[index[op.Key]].Exists);
        }

        var i = index[op.Key];
        var current = state[i];
        KeyState after;
        switch (op.Kind, op.Status)
        {
            case (OpKind.Set, OpStatus.Ok or OpStatus.Unknown):
                after = current.Put(op.Value ?? "", op.Revision);
                break;
            case (OpKind.Delete, OpStatus.Unknown):
                after = KeyState.Absent;
                break;
            case (OpKind.Delete, OpStatus.Ok):
                if (!current.Exists) return false;
                after = KeyState.Absent;
                break;
            case (OpKind.Delete, OpStatus.NotFound):
                return !current.Exists;
            case (OpKind.CompareAndSet, OpStatus.Unknown):
                if (current.Value != op.Expected) return true;
                after = current.Put(op.Value ?? "", op.Revision);
                break;
            case (OpKind.CompareAndSet, OpStatus.Ok):
                if (current.Value != op.Expected) return false;
                after = current.Put(op.Value ?? "", op.Revision);
                break;
            case (OpKind.CompareAndSet, OpStatus.CompareFailed):
                return current.Value != op.Expected && current.Value == op.Output;
            default:
                throw new ArgumentException($"operation {op} has an outcome its kind cannot have");
        }
        next = (KeyState[])state.Clone();
        next[i] = after;
        return true;
    }

    private static bool StepTxn(KeyState[] state, IReadOnlyDictionary<string, int> index, HistoryOp op, out KeyState[] next)
    {
        next = state;
        var txn = op.Txn ?? throw new ArgumentException($"operation #{op.Id} is a transaction without one");
        // True, false, or null: a revision compare against a write whose revision is not known could go either way.
        bool? holds = true;
        foreach (var condition in txn.Conditions)
        {
            var result = Holds(state[index[condition.Key]], condition);
            if (result == false)
            {
                holds = false;
                break;
            }
            if (result is null) holds = null;
        }

        var outcome = op.Status == OpStatus.Unknown ? null : op.Outcome ?? throw new ArgumentException($"acknowledged transaction #{op.Id} without its outcome");
        if (outcome is not null && holds is { } h && h != outcome.Succeeded) return false;
        // An unknown transaction whose compare could go either way: its writes are the likelier way to matter.
        var succeeded = outcome?.Succeeded ?? holds ?? true;
        var steps = succeeded ? txn.Success : txn.Failure;
        if (outcome?.Reads is { } reads && reads.Count != steps.Count)
            throw new ArgumentException($"transaction #{op.Id} has {reads.Count} reads for a branch of {steps.Count} steps");

        KeyState[]? changed = null;
        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            var i = index[step.Key];
            var current = (changed ?? state)[i];
            switch (step.Kind)
            {
                case TxnStepKind.Get:
                    if (outcome?.Reads is { } r && r[s] != current.Value) return false;
                    break;
                case TxnStepKind.Put:
                    changed ??= (KeyState[])state.Clone();
                    changed[i] = current.Put(step.Value ?? "", op.Revision);
                    break;
                default:
                    changed ??= (KeyState[])state.Clone();
                    changed[i] = KeyState.Absent;
                    break;
            }
        }
        next = changed ?? state;
        return true;
    }

    private static bool? Holds(KeyState key, TxnCondition condition)
    {
        if (condition.Target == ConditionTarget.Value)
        {
            if (!key.Exists) return false;
            var c = string.CompareOrdinal(key.Value, condition.Value);
            return Compare(c, condition.Operator);
        }
        var actual = condition.Target switch
        {
            ConditionTarget.Version => key.Version,
            ConditionTarget.CreateRevision => key.CreateRevision,
            _ => key.ModRevision,
        };
        if (actual < 0) return null;
        return Compare(actual.CompareTo(condition.Number), condition.Operator);
    }

    private static bool Compare(int sign, ConditionOperator op) => op switch
    {
        ConditionOperator.Equal => sign == 0,
        ConditionOperator.NotEqual => sign != 0,
        ConditionOperator.Less => sign < 0,
        _ => sign > 0,
    };
}
