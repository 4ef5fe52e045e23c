using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record SetCommand(int Line, string? Node, string Key, string Value) : ScriptCommand(Line);
