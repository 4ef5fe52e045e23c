using System.Globalization;

namespace Orleans.Raft.Nemesis;

/// <summary>dotnet run -c Release --project tests/Orleans.Raft.Nemesis -- --minutes N [--seed S] [--clients C] [--keys K] [--groups G] [--resend P]</summary>
public static class Program
{
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
                default:
                    Console.Error.WriteLine($"error: unknown argument '{args[i]}'");
                    Console.Error.WriteLine("usage: --minutes N [--seed S] [--clients C] [--keys K] [--groups G] [--resend P]");
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
            Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"),
        });
        Console.WriteLine();
        Console.WriteLine(result.Summary);
        return result.Passed ? 0 : 1;
    }
}
