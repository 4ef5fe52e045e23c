using Orleans.Raft.Consensus;
using Orleans.Raft.Core.Tests.Harness;

namespace Orleans.Raft.Core.Tests.Interaction;

// One handler per command; the dispatch table is in InteractionEnv.cs and the format in tests/Orleans.Raft.Core.Tests/README.md.
public sealed partial class InteractionEnv
{
    /// <summary>add-nodes N [prevote=] [checkquorum=] [max-entries=] [snapshot-chunk=] [inflight-chunks=] [election=] [heartbeat=] [catch-up=] [lease=]</summary>
    private void AddNodes(TranscriptCommand c)
    {
        if (_nodes.Count > 0) throw new InvalidOperationException("nodes were already added");
        var count = int.Parse(c.Args[0], System.Globalization.CultureInfo.InvariantCulture);
        var members = Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var id in members)
        {
            var config = new RaftConfig
            {
                Id = id,
                Members = members,
                PreVote = c.BoolOption("prevote", true),
                CheckQuorum = c.BoolOption("checkquorum", true),
                MaxEntriesPerMessage = c.IntOption("max-entries", 512),
                SnapshotChunkBytes = c.IntOption("snapshot-chunk", 256 * 1024),
                MaxInflightSnapshotChunks = c.IntOption("inflight-chunks", 4),
                ElectionTick = c.IntOption("election", 10),
                HeartbeatTick = c.IntOption("heartbeat", 1),
                SnapshotCatchUpEntries = c.IntOption("catch-up", 0),
                ReadOnlyLeaseBased = c.BoolOption("lease", false),
            };
            _nodes.Add(new InteractionNode(config, int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)));
            _template = config;
        }
        foreach (var n in _nodes) Print(Describe(n.Raft));
    }

    /// <summary>
    /// join ID: starts a new replica with an empty store, as a shell does for a member being added. It gets the group's
    /// bootstrap configuration (that of add-nodes, where it does not appear) and learns its membership from the log or
    /// a snapshot; its settings are those of add-nodes.
    /// </summary>
    private void Join(TranscriptCommand c)
    {
        var id = c.Args[0];
        if (_nodes.Any(n => n.Id == id)) throw new InvalidOperationException($"node {id} exists");
        var config = (_template ?? throw new InvalidOperationException("add-nodes first")) with { Id = id };
        var n = new InteractionNode(config, int.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
        _nodes.Add(n);
        Print(Describe(n.Raft));
    }

    /// <summary>conf-change ID add-learner|add-voter|promote|remove TARGET: proposes a membership change at ID.</summary>
    private void ConfChange(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var target = c.Args[2];
        var change = c.Args[1] switch
        {
            "add-learner" => ConfigChange.AddLearner(target, $"node-{target}"),
            "add-voter" => ConfigChange.AddVoter(target, $"node-{target}"),
            "promote" => ConfigChange.Promote(target),
            "remove" => ConfigChange.Remove(target),
            _ => throw new ArgumentException($"unknown change {c.Args[1]}"),
        };
        PrintResult(n.Raft.ProposeConfigChange(change));
    }

    /// <summary>transfer-leader ID TARGET: the leader ID hands leadership to TARGET.</summary>
    private void TransferLeader(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var result = n.Raft.TransferLeadership(c.Args[1]);
        Print(result.Accepted ? $"transferring to {c.Args[1]}" : $"refused ({result.Refusal}): {result.Reason}");
    }

    /// <summary>config [ID...]: the configuration each node has in force.</summary>
    private void Config(TranscriptCommand c)
    {
        foreach (var n in Named(c).Where(n => n.IsUp)) Print($"{n.Id} {n.Raft.Configuration}");
    }

    private void PrintResult(ProposeResult result)
    {
        if (result.Accepted) Print($"accepted at {result.Term}/{result.Index}");
        else if (result.Refusal is ProposeRefusal.NotLeader or ProposeRefusal.Overloaded)
            Print($"refused{(result.Overloaded ? " (overloaded)" : "")}, leader {result.LeaderHint ?? "0"}");
        else Print($"refused ({result.Refusal}): {result.Reason}");
    }

    /// <summary>campaign ID [force]</summary>
    private void Campaign(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        Observe(n, r => r.Campaign(force: c.Args.Contains("force")));
    }

    /// <summary>propose ID KEY=VALUE: a set without a session, request number = the proposal's line.</summary>
    private void Propose(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var eq = c.Args[1].IndexOf('=');
        var data = Commands.Set(c.Args[1][..eq], c.Args[1][(eq + 1)..], c.Line);
        PrintResult(n.Raft.Propose(data));
    }

    /// <summary>process-ready [ID...]: each named node (all when none) handles one Ready, if it has one.</summary>
    private void ProcessReady(TranscriptCommand c)
    {
        foreach (var n in Named(c).Where(n => n.IsUp && n.Raft.HasReady)) HandleReady(n);
    }

    /// <summary>deliver-msgs [ID...] [from=ID] [type=MsgApp] [count=N]: delivers the messages pending to the named nodes, in order sent.</summary>
    private void DeliverMsgs(TranscriptCommand c)
    {
        foreach (var n in Named(c))
        {
            var messages = Take(n, c);
            if (messages.Count > 0) Deliver(n, messages);
        }
    }

    /// <summary>drop-msgs [ID...] [from=ID] [type=MsgApp] [count=N]: loses the messages pending to the named nodes.</summary>
    private void DropMsgs(TranscriptCommand c)
    {
        foreach (var n in Named(c))
        {
            foreach (var m in Take(n, c)) Print($"dropped: {TranscriptFormat.Message(m)}");
        }
    }

    /// <summary>
    /// stabilize [ID...] [quiet=true]: handles Readies and delivers messages among the named nodes until nothing moves;
    /// quiet prints only the role, term and leader changes.
    /// </summary>
    private void Stabilize(TranscriptCommand c)
    {
        var before = _output.Count;
        RunStabilize(c);
        if (!c.BoolOption("quiet", false)) return;
        var changes = _output.Skip(before).Where(l => l.TrimStart().StartsWith("INFO ", StringComparison.Ordinal)).Select(l => l.TrimStart()).ToList();
        _output.RemoveRange(before, _output.Count - before);
        _output.AddRange(changes);
    }

    /// <summary>dup-msgs [ID...] [from=ID] [type=MsgApp]: every pending message to the named nodes is duplicated, the copy right after it.</summary>
    private void DupMsgs(TranscriptCommand c)
    {
        foreach (var n in Named(c))
        {
            var from = c.Option("from", "");
            var type = c.Option("type", "");
            for (var i = 0; i < _network.Count; i++)
            {
                var m = _network[i];
                if (m.To != n.Id || (from.Length > 0 && m.From != from) || (type.Length > 0 && TranscriptFormat.TypeName(m.Type) != type)) continue;
                _network.Insert(++i, m);
                Print($"duplicated: {TranscriptFormat.Message(m)}");
            }
        }
    }

    private void RunStabilize(TranscriptCommand c)
    {
        var nodes = Named(c).ToList();
        for (var round = 0; round < 1000; round++)
        {
            var moved = false;
            foreach (var n in nodes.Where(n => n.IsUp && n.Raft.HasReady))
            {
                HandleReady(n);
                moved = true;
            }
            foreach (var n in nodes)
            {
                var messages = Take(n, c);
                if (messages.Count == 0) continue;
                Deliver(n, messages);
                moved = true;
            }
            if (!moved) return;
        }
        throw new InvalidOperationException("stabilize: messages kept flowing");
    }

    /// <summary>tick [ID...] [n=1]: the named live nodes (all when none) tick n times, in turn.</summary>
    private void Tick(TranscriptCommand c)
    {
        var nodes = Named(c).ToList();
        for (var i = c.IntOption("n", 1); i > 0; i--)
        {
            foreach (var n in nodes.Where(n => n.IsUp)) Observe(n, r => r.Tick());
        }
    }

    /// <summary>partition ID... [/ ID...]...: nodes in different groups cannot talk; nodes named nowhere are alone.</summary>
    private void Partition(TranscriptCommand c)
    {
        _partitionOf.Clear();
        var group = 1;
        foreach (var arg in c.Args)
        {
            if (arg == "/") group++;
            else _partitionOf[Node(arg).Id] = group;
        }
        foreach (var n in _nodes) _partitionOf.TryAdd(n.Id, ++group);
    }

    /// <summary>heal: everyone can talk again.</summary>
    private void Heal(TranscriptCommand c) => _partitionOf.Clear();

    /// <summary>crash ID: volatile state is lost; messages to the node are dropped until it restarts.</summary>
    private void Crash(TranscriptCommand c) => Node(c.Args[0]).Crash();

    /// <summary>restart ID: rebuilds the node from its store.</summary>
    private void Restart(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        n.Restart();
        Print(Describe(n.Raft));
    }

    /// <summary>compact ID: snapshots the state machine at its applied index, saves it, then compacts the log.</summary>
    private void Compact(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var index = n.StateMachine.LastAppliedIndex;
        var term = TermAt(n.Raft, index) ?? throw new InvalidOperationException($"{n.Id} holds no entry at {index}");
        var snapshot = new SnapshotData(index, term, n.StateMachine.TakeSnapshot()) { Configuration = n.Raft.ConfigurationAt(index) };
        n.Store.SaveSnapshot(snapshot);
        n.Raft.Compact(snapshot);
        Print(Describe(n.Raft));
    }

    /// <summary>status [ID...]: one line per node, and a leader's progress of each follower.</summary>
    private void Status(TranscriptCommand c)
    {
        foreach (var n in Named(c))
        {
            Print(n.IsUp ? Describe(n.Raft) : $"{n.Id} down");
            if (!n.IsUp) continue;
            foreach (var line in DescribeProgress(n.Raft)) Print($"  {line}");
        }
    }

    /// <summary>raft-log ID: the entries the node holds.</summary>
    private void RaftLog(TranscriptCommand c)
    {
        var n = Node(c.Args[0]);
        var entries = LogEntries(n.Raft).ToList();
        if (entries.Count == 0) Print("log is empty");
        foreach (var e in entries) Print(TranscriptFormat.Entry(e));
    }

    /// <summary>kv [ID...]: each node's applied index and key-value pairs.</summary>
    private void KeyValues(TranscriptCommand c)
    {
        foreach (var n in Named(c))
        {
            if (!n.IsUp)
            {
                Print($"{n.Id} down");
                continue;
            }
            var pairs = n.StateMachine.Data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}");
            Print($"{n.Id} applied:{n.StateMachine.LastAppliedIndex} {{{string.Join(" ", pairs)}}}");
        }
    }

    /// <summary>log-level info|none: whether inputs print the role, term and leader changes they cause.</summary>
    private void LogLevel(TranscriptCommand c) => _logState = c.Args[0] switch
    {
        "info" => true,
        "none" => false,
        _ => throw new ArgumentException($"unknown log level {c.Args[0]}"),
    };
}
