namespace Orleans.Raft.Consensus;

/// <summary>Randomness is injected so every run can be replayed from its seed.</summary>
public interface IRaftRandom
{
    /// <summary>A value in [minInclusive, maxExclusive).</summary>
    int Next(int minInclusive, int maxExclusive);
}
