namespace Orleans.Raft.Linearizability;

/// <summary>How <see cref="QuiescentChecker"/> bounds and spreads its work.</summary>
public sealed record CheckerOptions
{
    /// <summary>
    /// The budget of search states for one piece (one transaction-tied set of keys, when it is not cut); past it the
    /// piece, and so the history, is <see cref="Verdict.Inconclusive"/>, never a pass.
    /// </summary>
    public int MaxStatesPerPiece { get; init; } = LinearizabilityChecker.DefaultMaxStates;

    /// <summary>Partitions checked at once; -1: as many as the machine has cores.</summary>
    public int Parallelism { get; init; } = -1;

    /// <summary>The value every key starts with; null: absent.</summary>
    public string? Initial { get; init; }
}
