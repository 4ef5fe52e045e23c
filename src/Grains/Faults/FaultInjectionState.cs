namespace Orleans.Raft.Faults;

/// <summary>This silo's copy of the cluster's faults, read by the call filter on every replica call.</summary>
public sealed class FaultInjectionState
{
    private volatile FaultSnapshot _current = new();

    public FaultSnapshot Current => _current;

    public GroupFaults For(string group) => _current.Groups.GetValueOrDefault(group) ?? GroupFaults.None;

    /// <summary>Raised with the previous and the new snapshot each time a newer one is taken.</summary>
    public event Action<FaultSnapshot, FaultSnapshot>? Changed;

    /// <summary>Takes a snapshot if it is newer than the one held (pushes and polls may cross).</summary>
    public void Apply(FaultSnapshot snapshot)
    {
        while (true)
        {
            var current = _current;
            if (snapshot.Version <= current.Version) return;
            if (Interlocked.CompareExchange(ref _current, snapshot, current) != current) continue;
            Changed?.Invoke(current, snapshot);
            return;
        }
    }
}
