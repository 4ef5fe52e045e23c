namespace Orleans.Raft;

/// <summary>
/// One condition of a transaction: the key's target against Value (for <see cref="KvCompareTarget.Value"/>, compared
/// ordinally) or Number. A missing key has version, revisions and lease 0; a value compare on it is always false.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KvCompare(
    [property: Id(0)] string Key,
    [property: Id(1)] KvCompareTarget Target,
    [property: Id(2)] KvCompareOperator Operator,
    [property: Id(3)] string? Value = null,
    [property: Id(4)] long Number = 0)
{
    public static KvCompare ValueIs(string key, string value) => new(key, KvCompareTarget.Value, KvCompareOperator.Equal, value);

    public static KvCompare ModRevisionIs(string key, long revision) => new(key, KvCompareTarget.ModRevision, KvCompareOperator.Equal, Number: revision);

    public static KvCompare VersionIs(string key, long version) => new(key, KvCompareTarget.Version, KvCompareOperator.Equal, Number: version);

    /// <summary>The key does not exist (its create revision is 0).</summary>
    public static KvCompare Missing(string key) => new(key, KvCompareTarget.CreateRevision, KvCompareOperator.Equal, Number: 0);
}
