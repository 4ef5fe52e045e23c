using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>One replica of a transcript: a durable store that survives a crash, and the volatile node and state machine.</summary>
public sealed class InteractionNode
{
    private readonly int _seed;
    private int _restarts;

    public InteractionNode(RaftConfig config, int seed)
    {
        Config = config;
        _seed = seed;
        Store = new SimulatedStore(config.SnapshotCatchUpEntries);
        Raft = new RaftNode(config, Store.HardState, Store.LoadLog(), new SeededRaftRandom(seed));
    }

    public string Id => Config.Id;

    public RaftConfig Config { get; }

    public SimulatedStore Store { get; }

    public RaftNode Raft { get; private set; }

    public KeyValueStateMachine StateMachine { get; private set; } = new();

    public bool IsUp { get; private set; } = true;

    /// <summary>A Ready taken (its leader messages sent) but not yet persisted; a crash loses it.</summary>
    public Ready? InFlight { get; set; }

    public void Crash()
    {
        IsUp = false;
        InFlight = null;
    }

    /// <summary>Rebuilds the node and state machine from the store alone, as a real restart would.</summary>
    public void Restart()
    {
        StateMachine = new KeyValueStateMachine();
        var stored = Store.LoadSnapshot();
        if (stored is not null) StateMachine.Restore(stored.Data);
        Raft = new RaftNode(Config, Store.HardState, Store.LoadLog(), new SeededRaftRandom(_seed + ++_restarts), stored);
        IsUp = true;
    }

    public void Apply(LogEntry e)
    {
        if (e.Index != StateMachine.LastAppliedIndex + 1)
            throw new InvalidOperationException($"{Id}: applying {e.Index} after {StateMachine.LastAppliedIndex}");
        if (e.Type == LogEntryType.Command) StateMachine.Apply(e.Index, Command.Decode(e.Data));
        else StateMachine.ApplyNoOp(e.Index);
    }
}
