namespace Orleans.Raft.Hosting;

/// <summary>A refused request: what kind of refusal, and a message for people.</summary>
public sealed record RequestError(RequestErrorKind Kind, string Message)
{
    public static RequestError Invalid(string message) => new(RequestErrorKind.Invalid, message);

    public static RequestError TooLarge(string message) => new(RequestErrorKind.TooLarge, message);
}
