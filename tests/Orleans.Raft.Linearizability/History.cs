namespace Orleans.Raft.Linearizability;

public enum OpKind
{
    Get,
    Set,
    Delete,
    CompareAndSet,
}

/// <summary>How an operation ended, as the client saw it.</summary>
public enum OpStatus
{
    /// <summary>Done. A get read <see cref="HistoryOp.Output"/>; a delete removed a value; a compare-and-set wrote.</summary>
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
/// One client operation on one key. Times are in any unit shared by the whole history (the nemesis uses
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

    /// <summary>The completion time the search uses: an unknown outcome may take effect any time after invocation.</summary>
    public long EffectiveComplete => Status == OpStatus.Unknown ? long.MaxValue : Complete;

    public bool IsWrite => Kind != OpKind.Get;

    public override string ToString()
    {
        var op = Kind switch
        {
            OpKind.Get => $"get {Key}",
            OpKind.Set => $"set {Key} {Show(Value)}",
            OpKind.Delete => $"delete {Key}",
            _ => $"cas {Key} {Show(Expected)} -> {Show(Value)}",
        };
        var outcome = Status switch
        {
            OpStatus.Ok when Kind == OpKind.Get => $"ok {Show(Output)}",
            OpStatus.Ok => "ok",
            OpStatus.NotFound => "not found",
            OpStatus.CompareFailed => $"compare failed, found {Show(Output)}",
            OpStatus.Failed => "failed (not applied)",
            _ => "unknown (timed out)",
        };
        var end = Status == OpStatus.Unknown ? "inf" : Complete.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"#{Id,-5} client {Client,-3} [{Invoke}, {end}]  {op}  => {outcome}";
    }

    internal static string Show(string? value) => value is null ? "(absent)" : $"\"{value}\"";
}
