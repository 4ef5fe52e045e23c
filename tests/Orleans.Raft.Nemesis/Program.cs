using System.Globalization;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Nemesis;

/// <summary>dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes N [--seed S] [--clients C] [--keys K] [--groups G] [--resend P] [--read-mode M] [--nodes N]</summary>
public static class Program
{
    private const string Usage = """
        usage: --minutes N [--seed S] [--clients C] [--keys K] [--groups G] [--resend P] [--read-mode M] [--nodes N]
          --minutes N     how long the clients and the nemesis run (default 1)
          --seed S        the seed of the fault schedule and the clients' choices (default: random)
          --clients C     concurrent clients (default 5)
          --keys K        keys k0..k(K-1) (default 4)
          --groups G      groups the keys are split over, 5 replicas each (3 with --nodes) (default 1)
          --resend P      how often a client sends a request again with the same session and sequence (default 0)
          --read-mode M   how the silos serve a linearizable get: ReadIndex (default), Lease or Log
          --nodes N       N >= 3 silo processes n1..nN (Redis membership, SQLite on their own disks), with node kills,
                          pauses and lost-fsync power cuts; without it, a TestCluster of 4 silos in this process
        """;

    public static async Task<int> Main(string[] args)
    {
        // The test cluster writes its logs under the working directory: keep them in bin/, out of the source tree.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var minutes = 1.0;
        var seed = Random.Shared.Next(1, int.MaxValue);
        var clients = 5;
        var keys = 4;
        var groups = 1;
        var resend = 0.0;
        var readMode = RaftReadMode.ReadIndex;
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

        var result = await NemesisRun.RunAsync(new NemesisOptions
        {
            Seed = seed,
            Duration = TimeSpan.FromMinutes(minutes),
            Clients = clients,
            Keys = keys,
            Groups = groups,
            ResendRate = resend,
            ReadMode = readMode,
            Nodes = nodes,
            Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"),
        });
        Console.WriteLine();
        Console.WriteLine(result.Summary);
        return result.Passed ? 0 : 1;
    }
}
