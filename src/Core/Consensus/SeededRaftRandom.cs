namespace Orleans.Raft.Consensus;

public sealed class SeededRaftRandom(int seed) : IRaftRandom
{
    private readonly Random _random = new(seed);

    public int Next(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);
}
