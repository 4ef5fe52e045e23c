using Orleans.Raft.Consensus;
using Orleans.Raft.StateMachine;

namespace Orleans.Raft.Core.Tests.Harness;

/// <summary>
/// A deterministic Raft cluster: simulated stable stores, a faulty network (drop, duplicate, delay/reorder,
/// partitions), crash/restart and logical time. No threads, no clock: the same seed gives the same run.
/// </summary>
public sealed class SimulatedCluster
{
    private readonly Dictionary<string, SimNode> _nodes = [];
    private readonly List<InFlight> _network = [];
    private readonly Dictionary<string, int> _partitionOf = [];
    private readonly RaftMessage[] _history = new RaftMessage[2048];
    private long _historyCount;
    private readonly TraceEvent[] _trace = new TraceEvent[64];
    private long _traceCount;
    private long _sequence;

    /// <param name="voters">
    /// How many of the size replicas form the group at the start (all when null); the others are spares, which exist
    /// only once <see cref="Join"/> starts them after a change adds them.
    /// </param>
    /// <param name="newStateMachine">Makes each replica's state machine (a default one when null).</param>
    public SimulatedCluster(int size, int seed, Func<RaftConfig, RaftConfig>? configure = null, int? voters = null, Func<KeyValueStateMachine>? newStateMachine = null)
    {
        Seed = seed;
        _newStateMachine = newStateMachine;
        Random = new Random(seed);
        _configure = configure;
        Ids = [.. Enumerable.Range(1, size).Select(i => $"n{i}")];
        _initial = Ids.Take(voters ?? size).ToList();
        foreach (var id in _initial)
        {
            var config = new RaftConfig { Id = id, Members = _initial };
            if (configure is not null) config = configure(config);
            _nodes[id] = new SimNode(id, config, Random.Next(), newStateMachine);
        }
    }

    private readonly Func<RaftConfig, RaftConfig>? _configure;
    private readonly Func<KeyValueStateMachine>? _newStateMachine;

    /// <summary>A state machine as the replicas make theirs.</summary>
    public KeyValueStateMachine NewStateMachine() => _newStateMachine?.Invoke() ?? new KeyValueStateMachine();
    private readonly List<string> _initial;

    /// <summary>
    /// Starts a spare replica with an empty store, as a shell does for a member being added: it is given the group's
    /// bootstrap configuration, in which it does not appear, and learns its membership from the log or a snapshot.
    /// </summary>
    public SimNode Join(string id)
    {
        if (_nodes.ContainsKey(id)) throw new InvalidOperationException($"{id} was already started");
        var config = new RaftConfig { Id = id, Members = _initial };
        if (_configure is not null) config = _configure(config);
        var node = new SimNode(id, config, Random.Next(), _newStateMachine);
        _nodes[id] = node;
        Note($"join {id}");
        return node;
    }

    /// <summary>Replicas not yet started.</summary>
    public IEnumerable<string> Spares => Ids.Where(id => !_nodes.ContainsKey(id));

    public int Seed { get; }

    /// <summary>The only source of randomness for faults; the nodes get their own seeds from it.</summary>
    public Random Random { get; }

    public IReadOnlyList<string> Ids { get; }

    /// <summary>Every replica started so far (spares not yet joined are not).</summary>
    public IEnumerable<SimNode> Nodes => Ids.Where(_nodes.ContainsKey).Select(id => _nodes[id]);

    public IEnumerable<SimNode> UpNodes => Nodes.Where(n => n.IsUp);

    public SimNode this[string id] => _nodes[id];

    /// <summary>Logical time in ticks.</summary>
    public long Now { get; private set; }

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    /// <summary>
    /// The chance that a delivery is instead a replay of a random message sent long ago: a duplicate delayed for
    /// any time, so stale terms and stale indexes meet a node in whatever state it is in now.
    /// </summary>
    public double ReplayRate { get; set; }

    /// <summary>Each message is delayed by a uniform [0, MaxDelayTicks] ticks.</summary>
    public int MaxDelayTicks { get; set; }

    /// <summary>Deliver a random due message rather than the oldest.</summary>
    public bool Reorder { get; set; }

    /// <summary>
    /// The chance that a node's Ready is left in flight (taken, not yet persisted) while the node keeps stepping
    /// messages and ticks, as an asynchronous shell would; <see cref="CompleteReady"/> finishes it.
    /// </summary>
    public double AsyncReadyRate { get; set; }

    /// <summary>When set, messages it matches are dropped on send (a test's targeted fault).</summary>
    public Func<RaftMessage, bool>? DropFilter { get; set; }

    /// <summary>When true nothing is delivered unless a test asks for it with <see cref="Deliver"/>.</summary>
    public bool ManualDelivery { get; set; }

    /// <summary>Called after each entry a replica applies (for safety checks).</summary>
    public Action<SimNode, LogEntry>? OnApplied { get; set; }

    /// <summary>
    /// Called with each snapshot a node takes (restored = false) or restores, from a leader or at restart (restored =
    /// true), after its state machine holds it (for safety checks).
    /// </summary>
    public Action<SimNode, SnapshotData, bool>? OnSnapshot { get; set; }

    /// <summary>
    /// When set, each node snapshots its state machine after Advance once it has applied this many entries past its
    /// log's snapshot, saves it, then compacts its log (as RaftReplicaGrain.MaybeCompactAsync). Null: never.
    /// </summary>
    public int? SnapshotEvery { get; set; }

    /// <summary>Called with each read a node's Ready releases (see <see cref="RaftNode.ReadIndex"/>).</summary>
    public Action<SimNode, ReadState>? OnRead { get; set; }

    /// <summary>Every AppendEntries / response that entered the network, for tests that count round trips.</summary>
    public Action<RaftMessage>? OnSend { get; set; }

    public IEnumerable<RaftMessage> Pending => _network.Select(f => f.Message);

    public int InFlightCount => _network.Count;

    // ---- faults ----

    /// <summary>Splits the cluster: nodes in different groups cannot talk; nodes named in no group are alone.</summary>
    public void Partition(params IEnumerable<string>[] groups)
    {
        _partitionOf.Clear();
        var g = 1;
        foreach (var group in groups)
        {
            foreach (var id in group) _partitionOf[id] = g;
            g++;
        }
        foreach (var id in Ids) _partitionOf.TryAdd(id, g++);
        Note($"partition {string.Join(" | ", groups.Select(x => string.Join(",", x)))}");
    }

    public void Isolate(string id) => Partition(Ids.Where(x => x != id));

    public void Heal()
    {
        _partitionOf.Clear();
        Note("heal");
    }

    public bool CanTalk(string a, string b) =>
        _partitionOf.Count == 0 || _partitionOf.GetValueOrDefault(a) == _partitionOf.GetValueOrDefault(b);

    public void Crash(string id)
    {
        var n = _nodes[id];
        // A crash during an in-flight Ready may come before or after its write reached the disk; of its messages, only
        // the leader's went out before it.
        if (n.InFlight is { } rd && Random.Next(2) == 0) n.Store.Persist(rd);
        n.Crash();
        Note($"crash {id}");
    }

    public void Restart(string id)
    {
        var n = _nodes[id];
        n.Restart(Random.Next());
        Note($"restart {id}");
        if (n.Store.Snapshot is { } snapshot) OnSnapshot?.Invoke(n, snapshot, true);
        ProcessReadies();
    }

    // ---- inputs ----

    public ProposeResult Propose(string id, byte[] data)
    {
        var node = _nodes[id];
        if (!node.IsUp) return ProposeResult.NotLeader(null);
        var result = node.Raft.Propose(data);
        if (result.Accepted) Note($"propose {id} -> i{result.Index} t{result.Term}");
        ProcessReadies();
        return result;
    }

    /// <summary>Starts a read at the node (<see cref="RaftNode.ReadIndex"/>).</summary>
    public ProposeResult ReadIndex(string id, byte[] context)
    {
        var node = _nodes[id];
        if (!node.IsUp) return ProposeResult.NotLeader(null);
        var result = node.Raft.ReadIndex(context);
        Note($"read-index {id} -> {(result.Accepted ? $"i{result.Index}" : result.Reason)}");
        ProcessReadies();
        return result;
    }

    /// <summary>Proposes at the current leader, if there is one.</summary>
    public ProposeResult ProposeAtLeader(byte[] data)
    {
        var leader = Leader();
        return leader is null ? ProposeResult.NotLeader(null) : Propose(leader.Id, data);
    }

    public ProposeResult ProposeConfigChange(string id, ConfigChange change)
    {
        var node = _nodes[id];
        if (!node.IsUp) return ProposeResult.NotLeader(null);
        var result = node.Raft.ProposeConfigChange(change);
        Note($"conf-change {id} {change.Type} {change.Id} -> {(result.Accepted ? $"i{result.Index} t{result.Term}" : result.Reason)}");
        ProcessReadies();
        return result;
    }

    public ProposeResult TransferLeadership(string id, string target)
    {
        var node = _nodes[id];
        if (!node.IsUp) return ProposeResult.NotLeader(null);
        var result = node.Raft.TransferLeadership(target);
        Note($"transfer {id} -> {target}: {(result.Accepted ? "started" : result.Reason)}");
        ProcessReadies();
        return result;
    }

    /// <summary>The node, if it leads and may, quiesces and tells its followers (see <see cref="RaftNode.Quiesce"/>).</summary>
    public bool Quiesce(string id)
    {
        var node = _nodes[id];
        if (!node.IsUp || !node.Raft.Quiesce()) return false;
        Note($"quiesce {id}");
        ProcessReadies();
        return true;
    }

    /// <summary>The shell wakes the node: a member's node died, a fault was injected, a client request arrived.</summary>
    public void Wake(string id)
    {
        var node = _nodes[id];
        if (!node.IsUp || !node.Raft.Quiesced) return;
        node.Raft.Wake();
        Note($"wake {id}");
    }

    public void Campaign(string id, bool force = false)
    {
        _nodes[id].Raft.Campaign(force);
        Note($"campaign {id}{(force ? " force" : "")}");
        ProcessReadies();
    }

    /// <summary>One tick of logical time: every live node ticks, then everything due is delivered.</summary>
    public void Tick()
    {
        Now++;
        foreach (var n in UpNodes) n.Raft.Tick();
        ProcessReadies();
        if (!ManualDelivery) DeliverDue();
    }

    public void RunTicks(int ticks)
    {
        for (var i = 0; i < ticks; i++) Tick();
    }

    /// <summary>Ticks until the condition holds; returns false if it did not within maxTicks.</summary>
    public bool RunUntil(Func<bool> condition, int maxTicks)
    {
        for (var i = 0; i < maxTicks; i++)
        {
            if (condition()) return true;
            Tick();
        }
        return condition();
    }

    /// <summary>Delivers every message due now, including the replies they cause (a round trip within a tick).</summary>
    public void DeliverDue()
    {
        while (DeliverOne())
        {
        }
    }

    /// <summary>Delivers one due message (the oldest, or a random one when reordering). False when none is due.</summary>
    public bool DeliverOne()
    {
        if (ReplayRate > 0 && _historyCount > 0 && Random.NextDouble() < ReplayRate)
        {
            var old = _history[Random.Next((int)Math.Min(_historyCount, _history.Length))];
            Trace("replay", old);
            Receive(old);
            return true;
        }
        var due = -1;
        var dueCount = 0;
        for (var i = 0; i < _network.Count; i++)
        {
            if (_network[i].DeliverAt > Now) continue;
            dueCount++;
            if (due < 0) due = i;
            else if (Reorder && Random.Next(dueCount) == 0) due = i; // reservoir sampling: uniform among due
        }
        if (due < 0) return false;
        var f = _network[due];
        _network.RemoveAt(due);
        Receive(f.Message);
        return true;
    }

    /// <summary>Manual delivery: delivers the pending messages that match, oldest first, ignoring delays. Returns how many.</summary>
    public int Deliver(Func<RaftMessage, bool> match)
    {
        var chosen = _network.Where(f => match(f.Message)).ToList();
        foreach (var f in chosen) _network.Remove(f);
        foreach (var f in chosen) Receive(f.Message);
        return chosen.Count;
    }

    /// <summary>Delivers matching messages, and the matching messages they cause, until none is left.</summary>
    public int DeliverAll(Func<RaftMessage, bool> match, int maxRounds = 1000)
    {
        var total = 0;
        for (var i = 0; i < maxRounds; i++)
        {
            var n = Deliver(match);
            if (n == 0) return total;
            total += n;
        }
        throw new InvalidOperationException("messages kept flowing: no fixed point");
    }

    public int DropPending(Func<RaftMessage, bool> match) => _network.RemoveAll(f => match(f.Message));

    /// <summary>Runs every node's Ready loop until no node has anything to do.</summary>
    public void ProcessReadies()
    {
        bool any;
        do
        {
            any = false;
            foreach (var n in Nodes)
            {
                if (!n.IsUp || n.InFlight is not null || !n.Raft.HasReady) continue;
                any = true;
                var rd = n.Raft.GetReady();
                // A leader's appends go out at once, in parallel with its write (§10.2.1): a crash may still lose it.
                foreach (var m in rd.LeaderMessages) Send(m);
                if (AsyncReadyRate > 0 && Random.NextDouble() < AsyncReadyRate) n.InFlight = rd;
                else HandleReady(n, rd);
            }
        }
        while (any);
    }

    /// <summary>Finishes the node's in-flight Ready, if any. Returns false when there was none.</summary>
    public bool CompleteReady(string id)
    {
        var n = _nodes[id];
        if (!n.IsUp || n.InFlight is not { } rd) return false;
        n.InFlight = null;
        Note($"complete ready {id}");
        HandleReady(n, rd);
        ProcessReadies();
        return true;
    }

    public void CompleteAllReadies()
    {
        while (Nodes.Select(n => n.Id).ToList().Any(CompleteReady))
        {
        }
    }

    private void HandleReady(SimNode n, Ready rd)
    {
        // The Ready contract: the leader's messages went out when it was taken; durable, then send, apply, Advance.
        n.Store.Persist(rd); // the snapshot first, then HardState and entries
        foreach (var m in rd.Messages) Send(m);
        if (rd.Snapshot is { } snapshot)
        {
            n.Restore(snapshot);
            Note($"restore {n.Id} i{snapshot.Index} t{snapshot.Term}");
            OnSnapshot?.Invoke(n, snapshot, true);
        }
        foreach (var e in rd.CommittedEntries)
        {
            n.Apply(e);
            OnApplied?.Invoke(n, e);
        }
        foreach (var r in rd.ReadStates)
        {
            Note($"read released {n.Id} i{r.Index}");
            OnRead?.Invoke(n, r);
        }
        n.Raft.Advance(rd);
        MaybeCompact(n);
    }

    /// <summary>The shell's compaction: save a snapshot of the applied state durably, then let the core drop the log below it.</summary>
    private void MaybeCompact(SimNode n)
    {
        if (SnapshotEvery is not { } every) return;
        var applied = n.StateMachine.LastAppliedIndex;
        if (applied - n.Raft.Log.SnapshotIndex < every) return;
        var term = n.Raft.Log.TermAt(applied) ?? throw new InvalidOperationException($"{n.Id}: no term for applied index {applied}");
        var snapshot = new SnapshotData(applied, term, n.StateMachine.TakeSnapshot()) { Configuration = n.Raft.ConfigurationAt(applied) };
        n.Store.SaveSnapshot(snapshot);
        n.Raft.Compact(snapshot);
        n.Compactions++;
        Note($"compact {n.Id} i{applied} t{term}");
        OnSnapshot?.Invoke(n, snapshot, false);
    }

    private void Send(RaftMessage m)
    {
        OnSend?.Invoke(m);
        if (DropFilter?.Invoke(m) == true || !CanTalk(m.From, m.To))
        {
            Trace("cut", m);
            return;
        }
        if (DropRate > 0 && Random.NextDouble() < DropRate)
        {
            Trace("drop", m);
            return;
        }
        Enqueue(m);
        if (DuplicateRate > 0 && Random.NextDouble() < DuplicateRate) Enqueue(m);
        if (ReplayRate > 0) _history[_historyCount++ % _history.Length] = m;
    }

    private void Enqueue(RaftMessage m)
    {
        var delay = MaxDelayTicks > 0 ? Random.Next(MaxDelayTicks + 1) : 0;
        _network.Add(new InFlight(Now + delay, _sequence++, m));
    }

    private void Receive(RaftMessage m)
    {
        // A partition or a crash between send and delivery loses the message, as does one to a replica not started.
        if (!_nodes.TryGetValue(m.To, out var to) || !to.IsUp || !CanTalk(m.From, m.To))
        {
            Trace("lost", m);
            return;
        }
        Trace("recv", m);
        to.Raft.Step(m);
        ProcessReadies();
    }

    // ---- observation ----

    /// <summary>The leader with the highest term among live nodes, or null.</summary>
    public SimNode? Leader() =>
        UpNodes.Where(n => n.Raft.Role == RaftRole.Leader).OrderByDescending(n => n.Raft.CurrentTerm).FirstOrDefault();

    /// <summary>A leader every live member in its partition follows at its term (a settled group), or null.</summary>
    public SimNode? StableLeader()
    {
        var leader = Leader();
        if (leader is null) return null;
        // Replicas outside its configuration (removed, or added by a change that was lost) follow no one.
        var followers = UpNodes.Where(n => CanTalk(n.Id, leader.Id) && leader.Raft.Configuration.Contains(n.Id));
        return followers.All(n => n.Raft.CurrentTerm == leader.Raft.CurrentTerm && n.Raft.LeaderId == leader.Id) ? leader : null;
    }

    public void Note(string text) => Trace(text, null);

    private void Trace(string kind, RaftMessage? m)
    {
        _trace[_traceCount % _trace.Length] = new TraceEvent(Now, kind, m);
        _traceCount++;
    }

    /// <summary>The last events, oldest first, for failure messages.</summary>
    public string TraceTail(int count = 40)
    {
        var n = (int)Math.Min(Math.Min(count, _trace.Length), _traceCount);
        var lines = new List<string>(n + Ids.Count);
        for (var i = _traceCount - n; i < _traceCount; i++)
        {
            var e = _trace[i % _trace.Length];
            lines.Add(e.Message is null ? $"  @{e.Tick} {e.Kind}" : $"  @{e.Tick} {e.Kind} {e.Message}");
        }
        lines.AddRange(Nodes.Select(x => $"  state {x}"));
        return string.Join(Environment.NewLine, lines);
    }

    private readonly record struct InFlight(long DeliverAt, long Sequence, RaftMessage Message);

    private readonly record struct TraceEvent(long Tick, string Kind, RaftMessage? Message);
}
