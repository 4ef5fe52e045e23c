using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record GetCommand(int Line, string? Node, string Key) : ScriptCommand(Line);
