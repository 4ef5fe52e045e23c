using System.CommandLine;
using System.Globalization;
using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'watch KEY': one line per change, in revision order, until Ctrl+C.</summary>
public sealed class WatchVerb : IVerb
{
    public int Order => 45;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var prefix = new Option<bool>("--prefix") { Description = "Watch every key that starts with KEY" };
        var revision = new Option<long>("--rev")
        {
            Description = "Start from this revision, to resume where an earlier watch stopped (default: from now)",
            HelpName = "N",
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
                r.AddError($"--rev wants a revision (a positive whole number), got '{text}'");
                return 0;
            },
        };
        var prevKv = new Option<bool>("--prev-kv") { Description = "Add the value each change replaced (prev=VALUE)" };
        var command = new Command("watch", "Print each change to KEY (or, with --prefix, under it) as 'PUT key value rev=N' or 'DELETE key rev=N', until Ctrl+C")
        {
            key, prefix, revision, prevKv,
        };
        command.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            var k = r.GetValue(key)!;
            var end = r.GetValue(prefix) ? KeyRange.PrefixEnd(k) : null;
            try
            {
                await foreach (var change in store.WatchAsync(k, end, r.GetValue(revision), r.GetValue(prevKv), ct))
                {
                    await context.IO.Out.WriteLineAsync(Line(change));
                    await context.IO.Out.FlushAsync(ct);
                }
            }
            catch (RaftCompactedException ex)
            {
                await context.IO.Error.WriteLineAsync($"error: the history up to revision {ex.CompactRevision} is compacted: read the current state, then watch with --rev {ex.ResumeFrom} or later");
                return ExitCodes.RequestFailed;
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static string Line(KvWatchEvent change)
    {
        var e = change.Entry!;
        var line = change.Type == KvWatchEventType.Put ? $"PUT {e.Key} {e.Value} rev={change.Revision}" : $"DELETE {e.Key} rev={change.Revision}";
        return change.Previous is { } p ? $"{line} prev={p.Value}" : line;
    }
}
