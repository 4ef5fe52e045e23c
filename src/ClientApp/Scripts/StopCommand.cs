using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record StopCommand(int Line, string Node) : ScriptCommand(Line);
