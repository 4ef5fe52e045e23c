namespace Orleans.Raft.Hosting;

/// <summary>Why a request was refused, so each front end (HTTP, grain) answers it in its own way from one decision.</summary>
public enum RequestErrorKind
{
    /// <summary>Malformed: HTTP 400.</summary>
    Invalid,

    /// <summary>A key or value over the configured limit: HTTP 413.</summary>
    TooLarge,
}
