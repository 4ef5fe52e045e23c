namespace Orleans.Raft.Linearizability;

/// <summary>
/// One compare of a transaction, as etcd's: the key's value (ordinal), version, create or mod revision against
/// <see cref="Value"/> or <see cref="Number"/>. A missing key has version and revisions 0; a value compare on it is false.
/// </summary>
public sealed record TxnCondition(string Key, ConditionTarget Target, ConditionOperator Operator, string? Value = null, long Number = 0)
{
    public static TxnCondition ValueIs(string key, string value) => new(key, ConditionTarget.Value, ConditionOperator.Equal, value);

    public static TxnCondition VersionIs(string key, long version) => new(key, ConditionTarget.Version, ConditionOperator.Equal, Number: version);

    public static TxnCondition ModRevisionIs(string key, long revision) => new(key, ConditionTarget.ModRevision, ConditionOperator.Equal, Number: revision);

    public override string ToString()
    {
        var op = Operator switch
        {
            ConditionOperator.Equal => "==",
            ConditionOperator.NotEqual => "!=",
            ConditionOperator.Less => "<",
            _ => ">",
        };
        var target = Target switch
        {
            ConditionTarget.Value => $"value({Key})",
            ConditionTarget.Version => $"version({Key})",
            ConditionTarget.CreateRevision => $"create({Key})",
            _ => $"mod({Key})",
        };
        return $"{target} {op} {(Target == ConditionTarget.Value ? HistoryOp.Show(Value) : Number.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
    }
}
