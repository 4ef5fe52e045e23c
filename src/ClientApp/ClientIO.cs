namespace Orleans.Raft.ClientApp;

/// <summary>Where a command reads and writes; tests pass their own writers and input.</summary>
public sealed record ClientIO(TextWriter Out, TextWriter Error, TextReader In, bool InputRedirected)
{
    public static ClientIO FromConsole() => new(Console.Out, Console.Error, Console.In, Console.IsInputRedirected);

    /// <summary>No input: a terminal, so a command never waits on stdin.</summary>
    public static ClientIO ForTest(TextWriter output, TextWriter error, string? input = null) =>
        new(output, error, new StringReader(input ?? ""), input is not null);
}
