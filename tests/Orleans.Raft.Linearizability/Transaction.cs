namespace Orleans.Raft.Linearizability;

/// <summary>
/// etcd's If/Then/Else over single keys: when every condition holds, <see cref="Success"/> runs, else
/// <see cref="Failure"/>; all of it at one instant.
/// </summary>
public sealed record Transaction(IReadOnlyList<TxnCondition> Conditions, IReadOnlyList<TxnStep> Success, IReadOnlyList<TxnStep> Failure)
{
    /// <summary>Every key the transaction names, in order of first mention.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Keys =>
        Conditions.Select(c => c.Key).Concat(Success.Concat(Failure).Select(s => s.Key)).Distinct(StringComparer.Ordinal);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool Writes => Success.Concat(Failure).Any(s => s.Kind != TxnStepKind.Get);

    public override string ToString()
    {
        var conditions = string.Join(" && ", Conditions);
        return $"txn if {(conditions.Length == 0 ? "true" : conditions)} then [{string.Join("; ", Success)}] else [{string.Join("; ", Failure)}]";
    }
}
