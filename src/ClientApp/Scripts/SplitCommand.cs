using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record SplitCommand(int Line, string Partition, string[] Nodes) : ScriptCommand(Line);
