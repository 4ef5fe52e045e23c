namespace Orleans.Raft.Linearizability;

public enum OpKind
{
    Get,
    Set,
    Delete,
    CompareAndSet,

    /// <summary>A transaction (<see cref="HistoryOp.Txn"/>) over one or more keys.</summary>
    Transaction,
}

/// <summary>How an operation ended, as the client saw it.</summary>
public enum OpStatus
{
    /// <summary>
    /// Done. A get read <see cref="HistoryOp.Output"/>; a delete removed a value; a compare-and-set wrote; a transaction
    /// answered <see cref="HistoryOp.Outcome"/>.
    /// </summary>
    Ok,

    /// <summary>A get or delete found no value.</summary>
    NotFound,

    /// <summary>A compare-and-set found <see cref="HistoryOp.Output"/> (null: absent) and wrote nothing.</summary>
    CompareFailed,

    /// <summary>Definitely not applied: the checker drops it.</summary>
    Failed,

    /// <summary>A timeout: it may take effect at any point after its invocation, or never.</summary>
    Unknown,
}

/// <summary>
/// One client operation on one key, or a transaction over several (<see cref="Key"/> is then its first). Times are in any unit shared by the whole history (the nemesis uses
/// microseconds since the run began). Values stand for themselves; null means the key is absent.
/// </summary>
public sealed record HistoryOp
{
    public required int Id { get; init; }
    public int Client { get; init; }
    public required string Key { get; init; }
    public required OpKind Kind { get; init; }

    /// <summary>The value a set or compare-and-set writes.</summary>
    public string? Value { get; init; }

    /// <summary>The value a compare-and-set expects; null means "the key must be absent".</summary>
    public string? Expected { get; init; }

    public required long Invoke { get; init; }

    /// <summary>When the answer came; ignored for <see cref="OpStatus.Unknown"/>, whose completion is +infinity.</summary>
    public long Complete { get; init; }

    public required OpStatus Status { get; init; }

    /// <summary>The value a get read, or the value a failed compare-and-set found (null: absent).</summary>
    public string? Output { get; init; }

    /// <summary>For a transaction: what it does.</summary>
    public Transaction? Txn { get; init; }

    /// <summary>For an acknowledged transaction: its branch and reads.</summary>
    public TxnOutcome? Outcome { get; init; }

    /// <summary>
    /// For an acknowledged write or transaction: the revision of its change (the group's, as the answer gave it); 0 when
    /// not known. Mod and create revisions in the model come from here.
    /// </summary>
    public long Revision { get; init; }

    /// <summary>Every key the operation touches.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Keys => Txn?.Keys ?? [Key];

    /// <summary>The completion time the search uses: an unknown outcome may take effect any time after invocation.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long EffectiveComplete => Status == OpStatus.Unknown ? long.MaxValue : Complete;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsWrite => Kind == OpKind.Transaction ? Txn?.Writes == true : Kind != OpKind.Get;

    public override string ToString()
    {
        var op = Kind switch
        {
            OpKind.Get => $"get {Key}",
            OpKind.Set => $"set {Key} {Show(Value)}",
            OpKind.Delete => $"delete {Key}",
            OpKind.Transaction => Txn?.ToString() ?? "txn (empty)",
            _ => $"cas {Key} {Show(Expected)} -> {Show(Value)}",
        };
        var outcome = Status switch
        {
            OpStatus.Ok when Kind == OpKind.Get => $"ok {Show(Output)}",
            OpStatus.Ok when Kind == OpKind.Transaction => Outcome is null ? "ok"
                : $"{(Outcome.Succeeded ? "then" : "else")}" + (Outcome.Reads is null ? ", reads not known" : $" read [{string.Join(", ", Reads(Outcome))}]"),
            OpStatus.Ok => "ok",
            OpStatus.NotFound => "not found",
            OpStatus.CompareFailed => $"compare failed, found {Show(Output)}",
            OpStatus.Failed => "failed (not applied)",
            _ => "unknown (timed out)",
        };
        var end = Status == OpStatus.Unknown ? "inf" : Complete.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"#{Id,-5} client {Client,-3} [{Invoke}, {end}]  {op}  => {outcome}";
    }

    // The values the branch's gets read; puts and deletes read nothing.
    private IEnumerable<string> Reads(TxnOutcome outcome) =>
        (outcome.Succeeded ? Txn?.Success : Txn?.Failure)?.Zip(outcome.Reads ?? []).Where(p => p.First.Kind == TxnStepKind.Get).Select(p => Show(p.Second)) ?? [];

    internal static string Show(string? value) => value is null ? "(absent)" : $"\"{value}\"";
}
