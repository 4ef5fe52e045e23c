namespace Orleans.Raft.Linearizability;

public enum AppendOpKind
{
    /// <summary>Appends <see cref="AppendOp.Element"/> to the key's list.</summary>
    Append,

    /// <summary>Reads the key's whole list (<see cref="AppendOp.List"/>; empty when the key is absent).</summary>
    Read,
}

/// <summary>
/// One operation of the list-append workload: an append of a unique element to a list key, or a read of the whole
/// list. Times as in <see cref="HistoryOp"/>; <see cref="OpStatus.Ok"/>, <see cref="OpStatus.Failed"/> (not applied)
/// or <see cref="OpStatus.Unknown"/> (may have been applied, at any time after invocation).
/// </summary>
public sealed record AppendOp
{
    public required int Id { get; init; }
    public int Client { get; init; }
    public required string Key { get; init; }
    public required AppendOpKind Kind { get; init; }
    public string? Element { get; init; }
    public required long Invoke { get; init; }
    public long Complete { get; init; }
    public required OpStatus Status { get; init; }
    public IReadOnlyList<string>? List { get; init; }

    public override string ToString()
    {
        var op = Kind == AppendOpKind.Append ? $"append {Key} {Element}" : $"read {Key}";
        var outcome = Status switch
        {
            OpStatus.Ok when Kind == AppendOpKind.Read => $"ok [{string.Join(" ", List ?? [])}]",
            OpStatus.Ok => "ok",
            OpStatus.Failed => "failed (not applied)",
            _ => "unknown (timed out)",
        };
        var end = Status == OpStatus.Unknown ? "inf" : Complete.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"#{Id,-5} client {Client,-3} [{Invoke}, {end}]  {op}  => {outcome}";
    }
}
