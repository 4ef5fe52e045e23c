using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>
/// Stable storage of one replica: survives crashes. Written exactly as the Ready contract says, so a restart sees
/// only what a real shell would have made durable.
/// </summary>
public sealed class SimulatedStore
{
    private readonly List<LogEntry> _entries = [];

    public HardState HardState { get; private set; } = HardState.Empty;

    public IReadOnlyList<LogEntry> Entries => _entries;

    public long LastIndex => _entries.Count;

    public void Persist(Ready rd)
    {
        if (rd.HardState is { } hs) HardState = hs;
        if (rd.Entries.Count == 0) return;

        // The store drops any entry at or after the first new index, then appends.
        var first = rd.Entries[0].Index;
        if (first < 1 || first > _entries.Count + 1)
            throw new InvalidOperationException($"Ready entries start at {first} but the store ends at {_entries.Count}: a gap");
        _entries.RemoveRange((int)(first - 1), _entries.Count - (int)(first - 1));
        foreach (var e in rd.Entries)
        {
            if (e.Index != _entries.Count + 1) throw new InvalidOperationException($"Ready entries are not contiguous at {e.Index}");
            _entries.Add(e);
        }
    }

    public RaftLog LoadLog() => new(_entries);
}
