namespace Orleans.Raft.Bench;

/// <summary>One planned leadership transfer: from and to which replica, and when the call was made and answered (ms, as <see cref="TimedRequest"/>).</summary>
internal sealed record TimedTransfer(int Number, string From, string To, double StartMs, double EndMs, string? Error)
{
    public double DurationMs => EndMs - StartMs;
}
