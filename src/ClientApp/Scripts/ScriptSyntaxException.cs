using System.Text.Json;

namespace Orleans.Raft.ClientApp.Scripts;

/// <summary>A script that cannot run: the file, the line, and what was expected.</summary>
public sealed class ScriptSyntaxException(string file, int line, string message) : Exception($"{file}:{line}: {message}")
{
    public string File => file;
    public int Line => line;
}
