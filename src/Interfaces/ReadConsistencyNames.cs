namespace Orleans.Raft;

/// <summary>
/// The spellings of <see cref="ReadConsistency"/> that the CLI's <c>--consistency</c> and the HTTP API's
/// <c>?consistency=</c> accept: etcdctl's <c>l</c> and <c>s</c>, and the whole words.
/// </summary>
public static class ReadConsistencyNames
{
    /// <summary>What may be given, for error messages.</summary>
    public const string Accepted = "l (linearizable, the default) or s (serializable)";

    /// <summary>Reads <paramref name="text"/> as a consistency; false for anything else, empty included.</summary>
    public static bool TryParse(string? text, out ReadConsistency consistency)
    {
        switch (text?.ToLowerInvariant())
        {
            case "l" or "linearizable":
                consistency = ReadConsistency.Linearizable;
                return true;
            case "s" or "serializable":
                consistency = ReadConsistency.Serializable;
                return true;
            default:
                consistency = ReadConsistency.Linearizable;
                return false;
        }
    }
}
