namespace Orleans.Raft.Bench;

/// <summary>
/// How one benchmark request ended: done, or Error says why not. For a compare-and-set that found another value,
/// Current holds the value found (null: the key was absent), so the client can carry on from it.
/// </summary>
internal readonly record struct KvOutcome(bool Ok, string? Error, string? Current = null)
{
    public static KvOutcome Done { get; } = new(true, null);

    public const string CompareFailedError = "compare failed";

    public static KvOutcome Failed(string error) => new(false, error);

    /// <summary>The compare did not hold: the key held current (null: it did not exist), and nothing was written.</summary>
    public static KvOutcome CompareFailed(string? current) => new(false, CompareFailedError, current);

    public bool IsCompareFailed => Error == CompareFailedError;
}
