using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

public abstract record ScriptCommand(int Line);
