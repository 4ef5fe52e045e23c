using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class CasVerb : IVerb
{
    public int Order => 40;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var values = new Argument<string[]>("EXPECTED NEW")
        {
            Description = "Set KEY to NEW only if it holds EXPECTED; with --absent or --rev, give NEW alone",
            Arity = new ArgumentArity(1, 2),
        };
        var absent = new Option<bool>("--absent") { Description = "Set KEY to NEW only if it does not exist" };
        var revision = new Option<long?>("--rev")
        {
            Description = "Set KEY to NEW only if its mod revision is N (0: only if it does not exist), instead of comparing its value",
            HelpName = "N",
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
                r.AddError($"--rev wants a revision (a whole number, 0 or more), got '{text}'");
                return 0;
            },
        };
        var command = new Command("cas", "Compare and set: set KEY to NEW only if it holds EXPECTED (or, with --absent, does not exist; with --rev N, its mod revision is N)")
        {
            key, values, absent, revision,
        };
        command.Validators.Add(r =>
        {
            var count = r.GetValue(values)?.Length ?? 0;
            if (r.GetValue(absent) && r.GetResult(revision) is not null) r.AddError("give --absent or --rev, not both (--rev 0 is --absent)");
            else if (r.GetResult(revision) is not null && count != 1) r.AddError("cas --rev N takes KEY NEW");
            else if (r.GetResult(revision) is null && count != (r.GetValue(absent) ? 1 : 2)) r.AddError(r.GetValue(absent) ? "cas --absent takes KEY NEW" : "cas takes KEY EXPECTED NEW (or --absent KEY NEW); with --rev N, KEY NEW");
        });
        command.SetAction((r, ct) =>
        {
            var v = r.GetValue(values)!;
            if (r.GetValue(revision) is { } rev)
            {
                return StoreRequests.RunAsync(context, r, ct, async store =>
                {
                    var result = await store.CompareAndSetRevisionAsync(r.GetValue(key)!, rev, v[0], cancellationToken: ct);
                    if (result.Succeeded)
                    {
                        await context.IO.Out.WriteLineAsync("OK");
                        return ExitCodes.Ok;
                    }
                    await context.IO.Error.WriteLineAsync(result.Current is { } now
                        ? $"error: compare failed: {now.Key} has mod revision {now.ModRevision}"
                        : $"error: compare failed: {r.GetValue(key)} does not exist");
                    return ExitCodes.RequestFailed;
                });
            }
            var request = r.GetValue(absent) ? KvRequest.CompareAndSet(r.GetValue(key)!, null, v[0]) : KvRequest.CompareAndSet(r.GetValue(key)!, v[0], v[1]);
            return KeyRequests.RunAsync(context, r, request);
        });
        return command;
    }
}
