using Orleans.Raft.Consensus;

namespace Orleans.Raft.Core.Tests.Interaction;

/// <summary>
/// Runs transcript commands against a group of <see cref="RaftNode"/>s: nothing happens unless a command says so
/// (no delivery, no Ready handling, no time), and every command prints what it did.
/// </summary>
public sealed partial class InteractionEnv
{
    private readonly Dictionary<string, Action<TranscriptCommand>> _handlers;
    private readonly List<InteractionNode> _nodes = [];
    private readonly List<RaftMessage> _network = [];
    private readonly Dictionary<string, int> _partitionOf = [];
    private readonly List<string> _output = [];
    private string _indent = "";
    private bool _logState = true;
    private RaftConfig? _template;

    public InteractionEnv()
    {
        _handlers = new()
        {
            ["add-nodes"] = AddNodes,
            ["join"] = Join,
            ["conf-change"] = ConfChange,
            ["transfer-leader"] = TransferLeader,
            ["config"] = Config,
            ["dup-msgs"] = DupMsgs,
            ["campaign"] = Campaign,
            ["propose"] = Propose,
            ["process-ready"] = ProcessReady,
            ["take-ready"] = c => TakeReady(Node(c.Args[0]), "taking"),
            ["persist-ready"] = c => PersistReady(Node(c.Args[0]), announce: true),
            ["deliver-msgs"] = DeliverMsgs,
            ["drop-msgs"] = DropMsgs,
            ["stabilize"] = Stabilize,
            ["tick"] = Tick,
            ["partition"] = Partition,
            ["heal"] = Heal,
            ["crash"] = Crash,
            ["restart"] = Restart,
            ["compact"] = Compact,
            ["status"] = Status,
            ["raft-log"] = RaftLog,
            ["kv"] = KeyValues,
            ["log-level"] = LogLevel,
            ["quiesce"] = Quiesce,
            ["wake"] = Wake,
            ["read-index"] = ReadIndex,
        };
    }

    /// <summary>Runs one command and returns its output ("ok" when it prints nothing).</summary>
    public string Handle(TranscriptCommand command)
    {
        _output.Clear();
        _indent = "";
        if (!_handlers.TryGetValue(command.Name, out var handler))
            throw new InvalidOperationException($"line {command.Line}: unknown command '{command.Name}'");
        try
        {
            handler(command);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or RaftInvariantException)
        {
            Print($"error: {e.Message}");
        }
        return _output.Count == 0 ? "ok" : string.Join('\n', _output);
    }

    private void Print(string line) => _output.Add(_indent + line);

    private InteractionNode Node(string id) =>
        _nodes.FirstOrDefault(n => n.Id == id) ?? throw new ArgumentException($"no node {id}");

    /// <summary>The nodes named by the arguments, or all of them when none is named.</summary>
    private IEnumerable<InteractionNode> Named(TranscriptCommand c) => c.Args.Count == 0 ? [.. _nodes] : c.Args.Select(Node).ToList();

    private bool CanTalk(string a, string b) =>
        _partitionOf.Count == 0 || _partitionOf.GetValueOrDefault(a) == _partitionOf.GetValueOrDefault(b);

    /// <summary>Runs an input on a node and, at log level info, prints the change of role, term or leader it caused.</summary>
    private void Observe(InteractionNode n, Action<RaftNode> input)
    {
        var before = (n.Raft.Role, n.Raft.CurrentTerm, n.Raft.LeaderId, n.Raft.Quiesced);
        input(n.Raft);
        var after = (n.Raft.Role, n.Raft.CurrentTerm, n.Raft.LeaderId, n.Raft.Quiesced);
        if (_logState && before != after) PrintState(n);
    }

    private void PrintState(InteractionNode n) =>
        Print($"INFO {n.Id} is {n.Raft.Role} at term {n.Raft.CurrentTerm}{(n.Raft.LeaderId is { } l ? $", leader {l}" : "")}{(n.Raft.Quiesced ? ", quiesced" : "")}");

    /// <summary>The shell's half of the Ready contract: send the leader's messages, persist, send, restore and apply, then Advance.</summary>
    private void HandleReady(InteractionNode n)
    {
        TakeReady(n, "handling");
        PersistReady(n, announce: false);
    }

    /// <summary>Takes a Ready and sends its LeaderMessages at once, as a shell does before its write completes (§10.2.1).</summary>
    private void TakeReady(InteractionNode n, string verb)
    {
        var rd = n.Raft.GetReady();
        Print($"> {n.Id} {verb} Ready");
        _indent = "  ";
        if (rd.HardState is { } hs) Print(TranscriptFormat.HardState(hs));
        if (rd.Snapshot is { } snapshot) Print($"Snapshot {TranscriptFormat.Snapshot(snapshot)}");
        PrintList("Entries:", rd.Entries.Select(TranscriptFormat.Entry));
        PrintList("LeaderMessages:", rd.LeaderMessages.Select(TranscriptFormat.Message));
        PrintList("Messages:", rd.Messages.Select(TranscriptFormat.Message));
        PrintList("CommittedEntries:", rd.CommittedEntries.Select(TranscriptFormat.Entry));
        PrintList("ReadStates:", rd.ReadStates.Select(r => $"{r.Index} {TranscriptFormat.Context(r.Context)}"));
        PrintList("DroppedReads:", rd.DroppedReads.Select(TranscriptFormat.Context));
        _network.AddRange(rd.LeaderMessages);
        n.InFlight = rd;
        _indent = "";
    }

    /// <summary>Completes the node's Ready in flight: persist, send Messages, restore and apply, then Advance.</summary>
    private void PersistReady(InteractionNode n, bool announce)
    {
        var rd = n.InFlight ?? throw new InvalidOperationException($"{n.Id} has no Ready in flight");
        n.InFlight = null;
        if (announce) Print($"> {n.Id} persisted Ready");
        _indent = "  ";
        n.Store.Persist(rd);
        _network.AddRange(rd.Messages);
        if (rd.Snapshot is { } s) n.StateMachine.Restore(s.Data);
        foreach (var e in rd.CommittedEntries) n.Apply(e);
        Observe(n, r => r.Advance(rd));
        _indent = "";
    }

    private void PrintList(string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        Print(title);
        foreach (var line in list) Print(line);
    }

    /// <summary>Delivers the given messages in order; those to a node that is down or cut off are dropped.</summary>
    private void Deliver(InteractionNode to, IReadOnlyList<RaftMessage> messages)
    {
        Print($"> {to.Id} receiving messages");
        _indent = "  ";
        foreach (var m in messages)
        {
            if (!to.IsUp || !CanTalk(m.From, m.To))
            {
                Print($"dropped: {TranscriptFormat.Message(m)}");
                continue;
            }
            Print(TranscriptFormat.Message(m));
            Observe(to, r => r.Step(m));
        }
        _indent = "";
    }

    /// <summary>Takes the pending messages to a node that pass the command's from= and type= filters, the first count= of them.</summary>
    private List<RaftMessage> Take(InteractionNode to, TranscriptCommand c)
    {
        var from = c.Option("from", "");
        var type = c.Option("type", "");
        var taken = _network.Where(m => m.To == to.Id && (from.Length == 0 || m.From == from)
            && (type.Length == 0 || TranscriptFormat.TypeName(m.Type) == type)).Take(c.IntOption("count", int.MaxValue)).ToList();
        foreach (var m in taken) _network.Remove(m);
        return taken;
    }
}
