using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp;

/// <summary>
/// The verbs of etcd's data model (ranges, leases, watches, locks, elections, transactions) run through the typed client,
/// <see cref="IRaftKeyValueStore"/>, of the store --group names; a failure is one error line, never a stack trace.
/// </summary>
public static class StoreRequests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>
    /// Connects and runs the action on the store. A refused or failed request is 'error: ...' and exit 1; Ctrl+C (the
    /// token) ends a verb that waits or holds with exit 0, once it has released what it held.
    /// </summary>
    public static async Task<int> RunAsync(ClientContext context, ParseResult result, CancellationToken cancellationToken, Func<IRaftKeyValueStore, Task<int>> action)
    {
        if (result.GetValue(GlobalOptions.Via) is not null)
        {
            await context.IO.Error.WriteLineAsync($"error: --via is not supported by '{result.CommandResult.Command.Name}': it goes through the store's gateway");
            return ExitCodes.Usage;
        }
        return await context.RunAsync(result, async client =>
        {
            try
            {
                return await action(client.GetRaftKeyValueStore(GlobalOptions.GroupName(result)));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            catch (RaftInvalidRequestException ex)
            {
                await context.IO.Error.WriteLineAsync($"error: invalid request: {ClientContext.OneLine(ex.Message)}");
                return ExitCodes.RequestFailed;
            }
            catch (RaftKeyValueException ex)
            {
                await context.IO.Error.WriteLineAsync($"error: {ClientContext.OneLine(ex.Message)}");
                return ExitCodes.RequestFailed;
            }
        });
    }

    /// <summary>A lease id: a positive whole number, as 'lease grant' prints it.</summary>
    public static long ParseLease(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        result.AddError($"{name} wants a lease id (a positive whole number, as 'lease grant' prints), got '{text}'");
        return 0;
    }

    /// <summary>A lock's or election's name: its keys sit under a hash tag '{lock:NAME}', so it may not hold a '}'.</summary>
    public static Argument<string> RecipeName(string what)
    {
        var name = new Argument<string>("NAME") { Description = $"The {what}'s name" };
        name.Validators.Add(r =>
        {
            var text = r.Tokens.SingleOrDefault()?.Value;
            if (text is not null && (text.Length == 0 || text.Contains('}'))) r.AddError($"'{text}' is not a valid {what} name: it is not empty and has no '}}'");
        });
        return name;
    }

    public static Argument<long> LeaseId() => new("ID") { Description = "The lease's id, as 'lease grant' printed it", CustomParser = r => ParseLease(r, "ID") };

    public static Option<long> Limit() => new("--limit")
    {
        Description = "At most this many keys (default: all)",
        HelpName = "N",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
            r.AddError($"--limit wants a positive whole number, got '{text}'");
            return 0;
        },
    };

    /// <summary>A lease's TTL in seconds for lock and campaign; the client's default without it.</summary>
    public static Option<double?> Ttl(string what) => new("--ttl")
    {
        Description = $"The seconds {what} outlives this process if it is cut off (1 to 2592000; default {RaftKeyValueStore.DefaultLeaseTtl.TotalSeconds})",
        HelpName = "S",
        CustomParser = r => Numbers.Parse(r, "--ttl", 1, 2592000, "s"),
    };

    public static TimeSpan? TtlOf(ParseResult result, Option<double?> ttl) => result.GetValue(ttl) is { } s ? TimeSpan.FromSeconds(s) : null;

    public static Option<bool> Revisions() => new("--revisions") { Description = "Add each key's create and mod revisions, version and lease" };

    public static Option<bool> KeysOnly() => new("--keys-only") { Description = "Print keys only, no values" };

    public static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "How to print the keys: text (one 'key value' a line) or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    /// <summary>One key as a line: 'key value' (or the key alone), with its revisions when asked.</summary>
    public static string Line(KvEntry e, bool keysOnly, bool revisions)
    {
        var line = keysOnly || e.Value is null ? e.Key : $"{e.Key} {e.Value}";
        return revisions ? $"{line} create={e.CreateRevision} mod={e.ModRevision} version={e.Version} lease={e.Lease}" : line;
    }

    public static object Kv(KvEntry e) => new { key = e.Key, value = e.Value, createRevision = e.CreateRevision, modRevision = e.ModRevision, version = e.Version, lease = e.Lease };

    /// <summary>Prints a range's keys in order, as lines or as the HTTP API's JSON.</summary>
    public static async Task<int> WriteRangeAsync(ClientIO io, KvRange range, bool keysOnly, bool revisions, bool json)
    {
        if (json)
        {
            await io.Out.WriteLineAsync(JsonSerializer.Serialize(new { revision = range.Revision, count = range.Count, more = range.More, kvs = range.Entries.Select(Kv) }, Json));
            return ExitCodes.Ok;
        }
        foreach (var e in range.Entries) await io.Out.WriteLineAsync(Line(e, keysOnly, revisions));
        if (range.More) await io.Error.WriteLineAsync($"({range.Entries.Count} of {range.Count} keys: --limit cut the rest)");
        return ExitCodes.Ok;
    }

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
