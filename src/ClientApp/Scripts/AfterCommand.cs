using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public sealed record AfterCommand(int Line, int Ticks, IReadOnlyList<ScriptCommand> Block) : ScriptCommand(Line);
