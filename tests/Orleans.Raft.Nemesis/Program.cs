using System.Diagnostics;
using System.Globalization;
using Orleans.Raft.Hosting;
using Orleans.Raft.Linearizability;

namespace Orleans.Raft.Nemesis;

/// <summary>
/// dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes N [--seed S] ...; also <c>check --history FILE</c>
/// (re-check a history a run wrote) and <c>bench</c> (time the checkers on a synthetic history).
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: --minutes N [--seed S] [--clients C] [--keys K] [--groups G] [--resend P] [--read-mode M] [--workload W] [--history FILE] [--nodes N]
               check --history FILE [--max-states N] [--whole]
               bench [--operations N] [--keys K] [--seed S] [--whole]
          --minutes N     how long the clients and the nemesis run (default 1)
          --seed S        the seed of the fault schedule and the clients' choices (default: random)
          --clients C     concurrent clients (default 5)
          --keys K        keys k0..k(K-1) (default 4)
          --groups G      groups the keys are split over, 5 replicas each (3 with --nodes) (default 1)
          --resend P      how often a client sends a request again with the same session and sequence (default 0)
          --read-mode M   how the silos serve a linearizable get: ReadIndex (default), Lease or Log
          --workload W    register (keys and transactions; default), append (lists) or both
          --history FILE  where the run writes its history (default history-seed<S>.jsonl next to the program)
          --max-states N  the checker's budget of search states per piece (default 2000000); past it: UNKNOWN
          --nodes N       N >= 3 silo processes n1..nN (Redis membership, SQLite on their own disks), with node kills,
                          pauses and lost-fsync power cuts; without it, a TestCluster of 4 silos in this process
          check           re-checks a history file: the verdicts and the checker's time; --whole also
                          times the search over each key's whole history, as before the cuts
          bench           checks a deterministic synthetic history (default 200000 operations on 16 keys) and
                          prints the time; --whole also times the search over each key's whole history
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "check" => Check(args[1..]),
                "bench" => Bench(args[1..]),
                _ => await RunAsync(args),
            };
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static async Task<int> RunAsync(string[] args)
    {
        // The test cluster writes its logs under the working directory: keep them in bin/, out of the source tree.
        var workingDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var minutes = 1.0;
        var seed = Random.Shared.Next(1, int.MaxValue);
        var clients = 5;
        var keys = 4;
        var groups = 1;
        var resend = 0.0;
        var readMode = RaftReadMode.ReadIndex;
        var workload = Workload.Register;
        string? history = null;
        var maxStates = LinearizabilityChecker.DefaultMaxStates;
        var nodes = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--minutes": minutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keys": keys = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--groups": groups = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--resend": resend = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--read-mode":
                    var mode = Next();
                    if (!Enum.TryParse(mode, ignoreCase: true, out readMode) || !Enum.IsDefined(readMode))
                    {
                        Console.Error.WriteLine($"error: --read-mode wants {string.Join(", ", Enum.GetNames<RaftReadMode>())}, got '{mode}'");
                        return 2;
                    }
                    break;
                case "--workload":
                    var w = Next();
                    if (!Enum.TryParse(w, ignoreCase: true, out workload) || !Enum.IsDefined(workload))
                    {
                        Console.Error.WriteLine($"error: --workload wants register, append or both, got '{w}'");
                        return 2;
                    }
                    break;
                case "--history": history = Path.GetFullPath(Next(), workingDirectory); break;
                case "--max-states": maxStates = Positive(Next(), "--max-states"); break;
                case "--nodes":
                    var count = Next();
                    if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out nodes) || nodes < 3)
                    {
                        Console.Error.WriteLine($"error: --nodes wants a whole number of at least 3, got '{count}'");
                        return 2;
                    }
                    break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"error: unknown argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        NemesisResult result;
        try
        {
            result = await RunOnceAsync();
        }
        catch (ClusterDidNotHealException ex)
        {
            Console.WriteLine();
            Console.WriteLine($"verdict: FAIL; the cluster did not recover once the faults ended: {ex.Message}; replay with --seed {seed}");
            return 1;
        }
        Console.WriteLine();
        Console.WriteLine(result.Summary);
        return result.Passed ? 0 : 1;

        Task<NemesisResult> RunOnceAsync() => NemesisRun.RunAsync(new NemesisOptions
        {
            Seed = seed,
            Duration = TimeSpan.FromMinutes(minutes),
            Clients = clients,
            Keys = keys,
            Groups = groups,
            ResendRate = resend,
            ReadMode = readMode,
            Workload = workload,
            HistoryPath = history ?? Path.Combine(AppContext.BaseDirectory, $"history-seed{seed}.jsonl"),
            MaxStatesPerPiece = maxStates,
            Nodes = nodes,
            Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"),
        });
    }

    /// <summary>check --history FILE: the checkers on a history a run wrote, as the run would have run them.</summary>
    private static int Check(string[] args)
    {
        string? path = null;
        var maxStates = LinearizabilityChecker.DefaultMaxStates;
        var whole = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--history": path = Next(); break;
                case "--max-states": maxStates = Positive(Next(), "--max-states"); break;
                case "--whole": whole = true; break;
                default: throw new ArgumentException($"check: unknown argument '{args[i]}'");
            }
        }
        if (path is null) throw new ArgumentException("check needs --history FILE");
        if (!File.Exists(path)) throw new ArgumentException($"no history file {Path.GetFullPath(path)}");
        var (register, appends) = HistoryFile.Read(path);
        Console.WriteLine($"{path}: {register.Count} key-value operations, {appends.Count} list operations");
        var clock = Stopwatch.StartNew();
        var linearizability = QuiescentChecker.Check(register, new CheckerOptions { MaxStatesPerPiece = maxStates });
        var listAppend = ListAppendChecker.Check(appends);
        Console.WriteLine(CheckSummary.Lines(linearizability, listAppend, appends, clock.Elapsed));
        if (whole)
        {
            clock.Restart();
            var uncut = LinearizabilityChecker.Check(register, maxStatesPerKey: maxStates);
            Console.WriteLine($"each key whole, one at a time: {CheckSummary.Show(uncut.Verdict)}, {clock.Elapsed.TotalSeconds:0.00} s");
        }
        var verdict = linearizability.IsLinearizable && listAppend.IsLinearizable ? "PASS"
            : linearizability.Verdict == Verdict.Inconclusive && listAppend.IsLinearizable ? "UNKNOWN" : "FAIL";
        Console.WriteLine($"verdict: {verdict}");
        return verdict == "PASS" ? 0 : 1;
    }

    /// <summary>bench: the checker's time on a deterministic synthetic history; with --whole, the uncut search's too.</summary>
    private static int Bench(string[] args)
    {
        var (operations, keys, seed, whole) = (200_000, 16, 1, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--operations": operations = Positive(Next(), "--operations"); break;
                case "--keys": keys = Positive(Next(), "--keys"); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--whole": whole = true; break;
                default: throw new ArgumentException($"bench: unknown argument '{args[i]}'");
            }
        }
        var history = SyntheticHistory.Generate(seed, operations, keys);
        Console.WriteLine($"synthetic history: {history.Count} operations on {keys} keys, {history.Count(op => op.Status == OpStatus.Unknown)} unknown, " +
            $"{history[^1].Complete / 1e6:0} s of simulated time; {Environment.ProcessorCount} cores");
        var clock = Stopwatch.StartNew();
        var cut = QuiescentChecker.Check(history);
        Console.WriteLine($"cut at quiescent points, in parallel: {CheckSummary.Show(cut.Verdict)}, {cut.Keys.Sum(k => k.Pieces)} pieces, {clock.Elapsed.TotalSeconds:0.00} s");
        if (whole)
        {
            clock.Restart();
            var uncut = LinearizabilityChecker.Check(history);
            Console.WriteLine($"each key whole, one at a time: {CheckSummary.Show(uncut.Verdict)}, {clock.Elapsed.TotalSeconds:0.00} s");
        }
        return 0;
    }

    private static int Positive(string text, string option)
    {
        var n = int.Parse(text, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new ArgumentException($"{option} wants a positive number, got {n}");
    }
}
