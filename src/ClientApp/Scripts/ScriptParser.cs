using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public static class ScriptParser
{
    /// <summary>The JSON message types a script may send.</summary>
    public static readonly IReadOnlySet<string> KnownMessageTypes = new HashSet<string> { "debug-startElection" };

    public static Script ParseFile(string path) => Parse(System.IO.File.ReadAllText(path), path);

    public static Script Parse(string text, string file = "<script>")
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var position = 0;
        var commands = ParseBlock(lines, ref position, file, openedAt: null);
        var script = new Script(file, commands);
        Validate(script);
        return script;
    }

    private static List<ScriptCommand> ParseBlock(string[] lines, ref int position, string file, int? openedAt)
    {
        var commands = new List<ScriptCommand>();
        while (position < lines.Length)
        {
            var lineNumber = position + 1;
            var line = StripComment(lines[position++]).Trim();
            if (line.Length == 0) continue;
            if (line == "}")
            {
                if (openedAt is null) throw new ScriptSyntaxException(file, lineNumber, "'}' without an open 'after' block");
                return commands;
            }
            commands.Add(ParseCommand(line, lineNumber, lines, ref position, file));
        }
        if (openedAt is { } open) throw new ScriptSyntaxException(file, open, "'after' block is never closed: expected '}'");
        return commands;
    }

    private static ScriptCommand ParseCommand(string line, int n, string[] lines, ref int position, string file)
    {
        var verb = line.Split(' ', 2)[0];
        var rest = line.Length > verb.Length ? line[verb.Length..].Trim() : "";
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        ScriptSyntaxException Error(string message) => new(file, n, message);

        switch (verb)
        {
            case "start":
                if (words.Length != 3 || words[1] != "--peer-names")
                    throw Error("expected 'start NAME --peer-names A,B,...'");
                var peers = SplitNames(words[2]);
                CheckName(words[0], Error);
                foreach (var p in peers) CheckName(p, Error);
                if (peers.Contains(words[0])) throw Error($"'{words[0]}' cannot be its own peer");
                if (peers.Distinct().Count() != peers.Length) throw Error("peer names must be distinct");
                return new StartCommand(n, words[0], peers);
            case "stop":
                if (words.Length != 1) throw Error("expected 'stop NAME'");
                CheckName(words[0], Error);
                return new StopCommand(n, words[0]);
            case "send":
                return ParseSend(rest, n, Error);
            case "set":
                return words.Length switch
                {
                    2 => new SetCommand(n, null, words[0], words[1]),
                    3 => new SetCommand(n, CheckName(words[0], Error), words[1], words[2]),
                    _ => throw Error("expected 'set [NODE] KEY VALUE'"),
                };
            case "get":
                return words.Length switch
                {
                    1 => new GetCommand(n, null, words[0]),
                    2 => new GetCommand(n, CheckName(words[0], Error), words[1]),
                    _ => throw Error("expected 'get [NODE] KEY'"),
                };
            case "split":
                if (words.Length != 2) throw Error("expected 'split NAME NODE1,NODE2,...'");
                CheckName(words[0], Error);
                var nodes = SplitNames(words[1]);
                foreach (var node in nodes) CheckName(node, Error);
                return new SplitCommand(n, words[0], nodes);
            case "join":
                if (words.Length != 1) throw Error("expected 'join NAME'");
                return new JoinCommand(n, CheckName(words[0], Error));
            case "after":
                return ParseAfter(rest, n, lines, ref position, file, Error);
            default:
                throw Error($"unknown command '{verb}': expected start, stop, send, set, get, split, join or after");
        }
    }

    private static AfterCommand ParseAfter(string rest, int n, string[] lines, ref int position, string file, Func<string, ScriptSyntaxException> error)
    {
        // "after 12{" and "after 12 {" are both in the paper's scripts.
        var brace = rest.IndexOf('{');
        if (brace < 0 || rest[(brace + 1)..].Trim().Length > 0) throw error("expected 'after N {' with the block on the following lines");
        var count = rest[..brace].Trim();
        if (!int.TryParse(count, out var ticks) || ticks < 0 || ticks > 1_000_000)
            throw error($"expected a number of ticks (0 to 1000000) after 'after', got '{count}'");
        var block = ParseBlock(lines, ref position, file, openedAt: n);
        return new AfterCommand(n, ticks, block);
    }

    private static SendCommand ParseSend(string json, int n, Func<string, ScriptSyntaxException> error)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException ex)
        {
            throw error($"expected a JSON object after 'send': {ex.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw error("expected a JSON object after 'send'");
        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw error("the message needs a string \"type\"");
        if (!KnownMessageTypes.Contains(type.GetString()!))
            throw error($"unknown message type '{type.GetString()}': expected one of {string.Join(", ", KnownMessageTypes)}");
        if (!root.TryGetProperty("destination", out var destination) || destination.ValueKind != JsonValueKind.Array || destination.GetArrayLength() == 0)
            throw error("the message needs a non-empty \"destination\" array of node names");
        var names = new List<string>();
        foreach (var d in destination.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.String) throw error("\"destination\" must hold node names as strings");
            names.Add(CheckName(d.GetString()!, error));
        }
        return new SendCommand(n, [.. names], type.GetString()!);
    }

    /// <summary>Every node a command names must be started by some 'start' in the script.</summary>
    private static void Validate(Script script)
    {
        var started = new HashSet<string>();
        foreach (var c in Flatten(script.Commands).OfType<StartCommand>()) started.Add(c.Node);
        foreach (var c in Flatten(script.Commands))
        {
            var named = c switch
            {
                StartCommand s => s.Peers,
                StopCommand s => [s.Node],
                SendCommand s => s.Destinations,
                SetCommand { Node: { } node } => [node],
                GetCommand { Node: { } node } => [node],
                SplitCommand s => s.Nodes,
                _ => [],
            };
            foreach (var name in named)
            {
                if (!started.Contains(name)) throw new ScriptSyntaxException(script.File, c.Line, $"unknown node '{name}': no 'start {name} ...' in the script");
            }
        }
        var groups = Flatten(script.Commands).OfType<StartCommand>().Select(s => s.Peers.Append(s.Node).Order().ToArray()).ToList();
        foreach (var s in Flatten(script.Commands).OfType<StartCommand>())
        {
            if (!s.Peers.Append(s.Node).Order().SequenceEqual(groups[0]))
                throw new ScriptSyntaxException(script.File, s.Line, $"'{s.Node}' names peers that differ from the group's: every start must name the same members");
        }
    }

    public static IEnumerable<ScriptCommand> Flatten(IEnumerable<ScriptCommand> commands) =>
        commands.SelectMany(c => c is AfterCommand a ? Flatten(a.Block).Prepend(c) : [c]);

    private static string[] SplitNames(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string CheckName(string name, Func<string, ScriptSyntaxException> error) =>
        Hosting.ReplicaKey.IsValidName(name) ? name : throw error($"'{name}' is not a valid node name (letters, digits, '-', '_', '.')");

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#');
        return hash < 0 ? line : line[..hash];
    }
}
