namespace Orleans.Raft.Nemesis;

/// <summary>One watcher's run: its range, how many changes it saw, whether it was told Compacted, and what the check found wrong.</summary>
public sealed record WatchReport(string Watcher, int Events, bool Compacted, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;
}
