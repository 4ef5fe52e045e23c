namespace Orleans.Raft.Linearizability;

/// <summary>The sequential specification of one key: its state is its value, null when absent.</summary>
public static class RegisterModel
{
    /// <summary>Whether op may take effect on state, and the state after it.</summary>
    public static bool Step(string? state, HistoryOp op, out string? next)
    {
        next = state;
        if (op.Status == OpStatus.Unknown)
        {
            // Any outcome is allowed; only the effect on the state matters.
            next = op.Kind switch
            {
                OpKind.Set => op.Value,
                OpKind.Delete => null,
                OpKind.CompareAndSet => state == op.Expected ? op.Value : state,
                _ => state,
            };
            return true;
        }

        switch (op.Kind, op.Status)
        {
            case (OpKind.Get, OpStatus.Ok):
                return state is not null && state == op.Output;
            case (OpKind.Get, OpStatus.NotFound):
                return state is null;
            case (OpKind.Set, OpStatus.Ok):
                next = op.Value;
                return true;
            case (OpKind.Delete, OpStatus.Ok):
                next = null;
                return state is not null;
            case (OpKind.Delete, OpStatus.NotFound):
                return state is null;
            case (OpKind.CompareAndSet, OpStatus.Ok):
                next = op.Value;
                return state == op.Expected;
            case (OpKind.CompareAndSet, OpStatus.CompareFailed):
                return state != op.Expected && state == op.Output;
            default:
                throw new ArgumentException($"operation {op} has an outcome its kind cannot have");
        }
    }
}
