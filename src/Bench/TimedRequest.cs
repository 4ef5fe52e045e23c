namespace Orleans.Raft.Bench;

/// <summary>One client request: milliseconds from the start of the measured window to its sending and its answer; Error when it failed.</summary>
internal sealed record TimedRequest(double StartMs, double EndMs, string? Error)
{
    public double LatencyMs => EndMs - StartMs;

    public bool Acknowledged => Error is null;

    /// <summary>Sent before the window ends and answered after it starts.</summary>
    public bool InFlightDuring(double fromMs, double toMs) => StartMs < toMs && EndMs > fromMs;
}
