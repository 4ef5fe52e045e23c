using System.CommandLine;
using System.CommandLine.Help;

namespace Orleans.Raft.ClientApp;

/// <summary>The client's command line: global options plus every <see cref="IVerb"/> in this assembly.</summary>
public static class ClientCli
{
    /// <summary>Every verb, found once; help, completion and dispatch all read this.</summary>
    public static IReadOnlyList<IVerb> Verbs { get; } = Discover(typeof(IVerb).Assembly);

    public static IReadOnlyList<IVerb> Discover(System.Reflection.Assembly assembly) => [.. assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IVerb).IsAssignableFrom(t))
        .Select(t => (IVerb)Activator.CreateInstance(t)!)
        .OrderBy(v => v.Order)];

    /// <summary>'@file' is a value, not a response file: keys and values may start with '@'.</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Build(ClientContext context)
    {
        var root = new RootCommand("A client of the Orleans.Raft key-value store: keys, the group's status, scripts and faults.")
        {
            GlobalOptions.Gateway,
            GlobalOptions.Group,
            GlobalOptions.Via,
            GlobalOptions.Verbose,
            GlobalOptions.Tls,
            GlobalOptions.TlsCertificate,
            GlobalOptions.TlsKey,
            GlobalOptions.TlsPassword,
            GlobalOptions.TlsCa,
            GlobalOptions.TlsServerName,
            GlobalOptions.TlsInsecure,
        };
        foreach (var verb in Verbs) root.Add(verb.Create(context));
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, ClientIO io, IClusterConnector connector, CancellationToken cancellationToken = default) =>
        InvokeAsync(Build(new ClientContext(io, connector)), args, io, cancellationToken);

    /// <summary>
    /// Parses and runs. A usage error is one 'error:' line per problem and a pointer to --help, exit 2; help goes to
    /// stdout with exit 0, as System.CommandLine does.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args, ClientIO io, CancellationToken cancellationToken = default)
    {
        var result = root.Parse(args, ParserConfiguration);
        if (result.Errors.Count > 0 && result.Action is not HelpAction)
        {
            // With an unknown word, "Required command was not provided" only repeats it; System.CommandLine has no code to tell them apart.
            var errors = result.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Replace("\t", "", StringComparison.Ordinal)).ToList();
            if (errors.Count > 1) errors.RemoveAll(e => e.StartsWith("Required command was not provided", StringComparison.Ordinal));
            foreach (var error in errors) await io.Error.WriteLineAsync($"error: {error}");
            var verb = result.CommandResult.Command == root ? "" : " " + result.CommandResult.Command.Name;
            await io.Error.WriteLineAsync($"Run '{root.Name}{verb} --help' for usage.");
            return ExitCodes.Usage;
        }
        // Ctrl+C cancels the verb's token; holding verbs (watch, lock, campaign) then release what they hold, which takes a round trip.
        var configuration = new InvocationConfiguration
        {
            Output = io.Out,
            Error = io.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
        };
        return await result.InvokeAsync(configuration, cancellationToken);
    }
}
