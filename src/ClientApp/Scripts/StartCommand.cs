using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record StartCommand(int Line, string Node, string[] Peers) : ScriptCommand(Line);
