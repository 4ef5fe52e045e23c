using System.CommandLine;

namespace Orleans.Raft.ClientApp;

/// <summary>Runs a fault command against the cluster's fault control and prints what it did, in one line.</summary>
public static class FaultRequests
{
    public static Argument<string> Names(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(r => NameValidator.Check(r, "replica"));
        return argument;
    }

    public static Task<int> RunAsync(ClientContext context, ParseResult result, Func<IClusterClient, IFaultControlGrain, string, Task<string>> action) =>
        context.RunAsync(result, async client =>
        {
            var done = await action(client, client.GetGrain<IFaultControlGrain>("cluster"), GlobalOptions.GroupName(result));
            await context.IO.Out.WriteLineAsync(done);
            return ExitCodes.Ok;
        });

    public static string Describe(GroupFaults f)
    {
        if (f.IsEmpty) return "no faults";
        var lines = new List<string>();
        lines.AddRange(f.Partitions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"partition {p.Key}: {string.Join(",", p.Value)}"));
        if (f.CutLinks.Length > 0) lines.Add($"cut links: {string.Join(" ", f.CutLinks)}");
        if (f.DropRate > 0) lines.Add($"drop rate: {Numbers.Format(f.DropRate)}");
        if (f.MaxDelay > TimeSpan.Zero) lines.Add($"delay: {Numbers.Format(f.MinDelay.TotalMilliseconds)}-{Numbers.Format(f.MaxDelay.TotalMilliseconds)} ms");
        if (f.Stopped.Length > 0) lines.Add($"stopped: {string.Join(",", f.Stopped)}");
        return string.Join(Environment.NewLine, lines);
    }
}
