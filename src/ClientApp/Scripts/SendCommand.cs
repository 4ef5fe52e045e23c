using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record SendCommand(int Line, string[] Destinations, string Type) : ScriptCommand(Line);
