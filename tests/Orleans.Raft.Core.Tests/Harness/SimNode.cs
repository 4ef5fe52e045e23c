using Orleans.Raft.Consensus;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>One replica of the simulated cluster: durable store plus volatile Raft node and state machine.</summary>
public sealed class SimNode
{
    private readonly List<LogEntry> _applied = [];

    private readonly Func<KeyValueStateMachine> _newStateMachine;

    internal SimNode(string id, RaftConfig config, int randomSeed, Func<KeyValueStateMachine>? newStateMachine = null)
    {
        _newStateMachine = newStateMachine ?? (() => new KeyValueStateMachine());
        Id = id;
        Config = config;
        Store = new SimulatedStore(config.SnapshotCatchUpEntries);
        Raft = new RaftNode(config, Store.HardState, Store.LoadLog(), new SeededRaftRandom(randomSeed));
        StateMachine = _newStateMachine();
    }

    public string Id { get; }

    public RaftConfig Config { get; }

    public SimulatedStore Store { get; }

    public RaftNode Raft { get; private set; }

    public KeyValueStateMachine StateMachine { get; private set; }

    public bool IsUp { get; private set; } = true;

    /// <summary>Entries applied since the last (re)start, in order.</summary>
    public IReadOnlyList<LogEntry> Applied => _applied;

    /// <summary>A Ready taken but not yet handled, as in an asynchronous shell that awaits its storage write.</summary>
    public Ready? InFlight { get; internal set; }

    /// <summary>How many times this replica has been restarted.</summary>
    public int Restarts { get; private set; }

    internal void Crash()
    {
        IsUp = false;
        InFlight = null;
    }

    /// <summary>Volatile state is gone: rebuild from the store alone, as a real restart would.</summary>
    internal void Restart(int randomSeed)
    {
        // As the real shell: restore the state machine from the stored snapshot, then replay the log after it.
        StateMachine = _newStateMachine();
        var stored = Store.LoadSnapshot();
        if (stored is not null) StateMachine.Restore(stored.Data);
        Raft = new RaftNode(Config, Store.HardState, Store.LoadLog(), new SeededRaftRandom(randomSeed), stored);
        _applied.Clear();
        InFlight = null;
        IsUp = true;
        Restarts++;
    }

    /// <summary>Replaces the state machine's state with a snapshot received from the leader.</summary>
    internal void Restore(SnapshotData snapshot)
    {
        StateMachine.Restore(snapshot.Data);
        if (StateMachine.LastAppliedIndex != snapshot.Index)
            throw new InvalidOperationException($"{Id}: snapshot at {snapshot.Index} restored a state machine applied to {StateMachine.LastAppliedIndex}");
        Restores++;
    }

    /// <summary>How many snapshots from a leader this replica restored (restarts not counted).</summary>
    public int Restores { get; private set; }

    /// <summary>How many times this replica compacted its log.</summary>
    public int Compactions { get; internal set; }

    internal void Apply(LogEntry e)
    {
        if (e.Index != StateMachine.LastAppliedIndex + 1)
            throw new InvalidOperationException($"{Id}: applying {e.Index} after {StateMachine.LastAppliedIndex}: out of order");
        if (e.Type == LogEntryType.Command) StateMachine.Apply(e.Index, Command.Decode(e.Data));
        // As the real shell: the configuration before the entry is the log's, the same on every replica.
        else if (e.Type == LogEntryType.ConfigChange) StateMachine.ApplyConfiguration(e.Index, Raft.ConfigurationAt(e.Index - 1), GroupConfiguration.Decode(e.Data));
        else StateMachine.ApplyNoOp(e.Index);
        _applied.Add(e);
    }

    public override string ToString() =>
        $"{Id}{(IsUp ? "" : "(down)")} {Raft.Role} t{Raft.CurrentTerm} last={Raft.Log.LastIndex}/{Raft.Log.LastTerm} commit={Raft.CommitIndex} applied={StateMachine.LastAppliedIndex} snap={Raft.Log.SnapshotIndex} {Raft.Configuration}";
}
