namespace Orleans.Raft.Nemesis;

/// <summary>
/// The cluster a nemesis run drives: a TestCluster in one process (<see cref="TestClusterUnderTest"/>) or separate
/// silo processes, one per node (<see cref="NodeClusterUnderTest"/>). The clients, the faults through the fault
/// control and the membership grain, and the checks are the run's; what differs is how the cluster starts, which
/// groups it serves, and its whole-silo faults.
/// </summary>
public interface INemesisCluster : IAsyncDisposable
{
    IClusterClient Client { get; }

    /// <summary>One line for the run's first line of output.</summary>
    string Description { get; }

    /// <summary>Each group's replicas at the start.</summary>
    string[] InitialMembers { get; }

    /// <summary>The membership nemesis keeps each group between these sizes.</summary>
    int MinMembers { get; }

    int MaxMembers { get; }

    /// <summary>Whether whole-silo faults come oftener than the fault draw's one in nine (node kills are the point of that mode).</summary>
    bool ProcessFaultsOften { get; }

    /// <summary>The groups the run's keys are split over.</summary>
    ShardMap Shards(int groups);

    /// <summary>Creates the groups, when the cluster does not create them itself.</summary>
    Task StartGroupsAsync(IReadOnlyList<string> groups);

    /// <summary>A whole-silo fault (a kill, a pause, a lost-fsync crash), undone after <paramref name="hold"/>.</summary>
    Task CrashAsync(Random random, TimeSpan hold, Action<string> count, Action<string> log, CancellationToken stop);

    /// <summary>Every silo up and running again, at the end of the run.</summary>
    Task HealAsync(Action<string> log);

    /// <summary>
    /// The gets the replicas answered, by read path: <paramref name="inProcess"/> (what this process's silos counted)
    /// when the silos run here; otherwise what the nodes report, with whether some node's count could not be read.
    /// </summary>
    Task<(IReadOnlyDictionary<string, long> Counts, bool Partial)> ReadPathsAsync(IReadOnlyDictionary<string, long> inProcess);
}
