namespace Orleans.Raft.StateMachine;

/// <summary>One client session's de-duplication state: the results its client may still ask for again.</summary>
internal sealed class ClientSession
{
    /// <summary>The client no longer needs results of requests below this sequence number.</summary>
    public long AckedBelow { get; set; }

    public SortedDictionary<long, ApplyResult> Results { get; } = [];

    /// <summary>Forgets results below ackedBelow (never moves backwards).</summary>
    public void Acknowledge(long ackedBelow)
    {
        if (ackedBelow <= AckedBelow) return;
        AckedBelow = ackedBelow;
        while (Results.Count > 0 && Results.Keys.First() < AckedBelow) Results.Remove(Results.Keys.First());
    }
}
