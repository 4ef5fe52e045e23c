namespace Orleans.Raft;

/// <summary>What one attempt of <see cref="RetryUntilDeadline"/> decided.</summary>
internal readonly record struct RetryStep<T>(T? Result, bool Done, bool Pause) where T : class
{
    public static RetryStep<T> Answer(T result) => new(result, Done: true, Pause: false);

    /// <summary>Try again at once: the attempt learnt something new, such as a leader hint.</summary>
    public static RetryStep<T> Again => new(null, Done: false, Pause: false);

    /// <summary>Try again after a tick, so an election can settle.</summary>
    public static RetryStep<T> AfterPause => new(null, Done: false, Pause: true);
}
