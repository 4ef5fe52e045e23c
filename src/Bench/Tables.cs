using Spectre.Console;

namespace Orleans.Raft.Bench;

/// <summary>A Spectre console on a writer: plain text when redirected, so tables read the same in a file or a terminal.</summary>
internal static class Tables
{
    public static IAnsiConsole Console(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.Detect,
        Out = new AnsiConsoleOutput(writer),
    });
}
