namespace Orleans.Raft.ClientApp;

/// <summary>A usage error: the arguments are wrong. The message is shown as is.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The parsed command line: global options plus the command and its arguments.</summary>
public sealed record CommandLine(string Command, IReadOnlyList<string> Arguments, string GatewayHost, int GatewayPort, string? Group, string? Via, bool Verbose,
    IReadOnlyDictionary<string, string> Flags)
{
    public const string Usage = """
        usage: ClientApp [--gateway HOST:PORT] [--group NAME] [--via NODE] [--verbose] COMMAND
          get KEY                  print the value of KEY
          set KEY VALUE            set KEY to VALUE
          delete KEY               delete KEY
          cas KEY EXPECTED NEW     set KEY to NEW only if it holds EXPECTED
          cas --absent KEY NEW     set KEY to NEW only if it does not exist
          append KEY SUFFIX        append SUFFIX to the value of KEY (creating it); applied once even if retried
          status                   print a table of the group's replicas
          elect NODE               start an election on replica NODE
          run FILE [--in-process] [--tick-ms 100] [--request-timeout-ms 5000]
                                   run a scenario script in a fresh group
          split NAME N1,N2,...     cut replicas N1,N2,... off from the rest (partition NAME)
          join NAME                heal partition NAME
          cut A,B C,D              cut every link between A,B and C,D (a replica on neither side bridges them)
          heal                     heal every partition, clear loss and delay
          drop RATE                lose each message between replicas with probability RATE (0..1)
          delay MIN_MS MAX_MS      delay each message between replicas
          stop NODE                crash-stop replica NODE
          start NODE               start replica NODE again from its stable storage
          faults                   print the group's faults
          bench [--seconds N] [--clients 1,16,64]
                                   benchmark an in-process cluster of 3 replicas
        --gateway picks the silo (default localhost:30000); --via sends the request through one replica,
        which forwards it to the leader; --group picks the Raft group (default: the silo's).
        """;

    private static readonly HashSet<string> Commands =
        ["get", "set", "delete", "cas", "append", "status", "elect", "bench", "run", "split", "cut", "join", "heal", "drop", "delay", "stop", "start", "faults"];

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string host = "localhost";
        var port = 30000;
        string? group = null, via = null;
        var verbose = false;
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();

        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"{a} needs a value");
                return args[++i];
            }

            switch (a)
            {
                case "--gateway":
                    (host, port) = ParseEndpoint(Value());
                    break;
                case "--group":
                    group = Value();
                    if (!Hosting.ReplicaKey.IsValidName(group)) throw new UsageException($"'{group}' is not a valid group name");
                    break;
                case "--via":
                    via = Value();
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--absent":
                    flags["absent"] = "true";
                    break;
                case "--in-process":
                    flags["in-process"] = "true";
                    break;
                case "--seconds":
                case "--clients":
                case "--tick-ms":
                case "--request-timeout-ms":
                    flags[a[2..]] = Value();
                    break;
                case "--help" or "-h":
                    throw new UsageException(Usage);
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unknown option {a}");
                    positional.Add(a);
                    break;
            }
        }

        if (positional.Count == 0) throw new UsageException("no command given\n" + Usage);
        var command = positional[0];
        if (!Commands.Contains(command)) throw new UsageException($"unknown command '{command}'\n" + Usage);
        var rest = positional.Skip(1).ToList();
        var expected = command switch
        {
            "get" or "delete" or "elect" or "run" or "join" or "drop" or "stop" or "start" => 1,
            "set" or "append" or "split" or "cut" or "delay" => 2,
            "cas" => flags.ContainsKey("absent") ? 2 : 3,
            _ => 0,
        };
        if (rest.Count != expected)
            throw new UsageException($"'{command}' takes {expected} argument{(expected == 1 ? "" : "s")}, got {rest.Count}\n" + Usage);
        return new CommandLine(command, rest, host, port, group, via, verbose, flags);
    }

    public static (string Host, int Port) ParseEndpoint(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], out var port) || port is <= 0 or > 65535)
            throw new UsageException($"--gateway wants HOST:PORT, got '{value}'");
        return (value[..colon], port);
    }
}
