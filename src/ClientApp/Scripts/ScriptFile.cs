using System.CommandLine;

namespace Orleans.Raft.ClientApp.Scripts;

/// <summary>What 'run FILE' shares between the client (a live cluster) and the bench tool (an in-process cluster).</summary>
public static class ScriptFile
{
    public static Argument<string> Path() => new("FILE") { Description = "The scenario script (see scenarios/)" };

    public static Option<double> TickMs() => Numbers.Option("--tick-ms", "Wall-clock length of one 'after' tick", 100, 1, 600_000, "ms");

    /// <summary>Parses the script, or writes one 'error:' line and returns null: a bad script runs nothing.</summary>
    public static Script? Load(string path, ClientIO io)
    {
        try
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"no such script: {path}");
            return ScriptParser.ParseFile(path);
        }
        catch (Exception ex) when (ex is ScriptSyntaxException or IOException)
        {
            io.Error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }

    public static async Task<int> RunAsync(IClusterClient client, Script script, TimeSpan tick, string? group, TextWriter output)
    {
        var runner = new ScriptRunner(client, output, tick, group);
        return await runner.RunAsync(script) ? ExitCodes.Ok : ExitCodes.RequestFailed;
    }
}
