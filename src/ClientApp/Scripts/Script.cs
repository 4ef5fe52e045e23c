using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

/// <summary>A scenario script in the language of the paper's broker: start, stop, send, set, get, split, join, after.</summary>
public sealed record Script(string File, IReadOnlyList<ScriptCommand> Commands);
