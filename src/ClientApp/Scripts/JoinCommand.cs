using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record JoinCommand(int Line, string Partition) : ScriptCommand(Line);
