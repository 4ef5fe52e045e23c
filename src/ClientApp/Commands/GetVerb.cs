using System.CommandLine;
using System.Text.Json;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class GetVerb : IVerb
{
    public int Order => 10;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var consistency = KeyRequests.Consistency();
        var prefix = new Option<bool>("--prefix") { Description = "Every key that starts with KEY, sorted, one 'key value' a line" };
        var limit = StoreRequests.Limit();
        var keysOnly = StoreRequests.KeysOnly();
        var revisions = StoreRequests.Revisions();
        var output = StoreRequests.Output();
        var command = new Command("get", "Print the value of KEY, alone on stdout; with --prefix, every key under KEY")
        {
            key, consistency, prefix, limit, keysOnly, revisions, output,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(prefix)) return;
            if (r.GetResult(limit) is not null) r.AddError("--limit needs --prefix (or use 'range')");
            if (r.GetValue(keysOnly)) r.AddError("--keys-only needs --prefix (or use 'range')");
        });
        command.SetAction((r, ct) =>
        {
            var json = r.GetValue(output) == "json";
            if (r.GetValue(prefix))
            {
                return StoreRequests.RunAsync(context, r, ct, async store => await StoreRequests.WriteRangeAsync(context.IO,
                    await store.GetPrefixAsync(r.GetValue(key)!, r.GetValue(limit), r.GetValue(keysOnly), r.GetValue(consistency), ct),
                    r.GetValue(keysOnly), r.GetValue(revisions), json));
            }
            if (!json && !r.GetValue(revisions)) return KeyRequests.RunAsync(context, r, KvRequest.Get(r.GetValue(key)!, r.GetValue(consistency)));
            return StoreRequests.RunAsync(context, r, ct, async store =>
            {
                var entry = await store.GetAsync(r.GetValue(key)!, r.GetValue(consistency), ct);
                if (entry is null)
                {
                    await context.IO.Error.WriteLineAsync($"error: No such key: {r.GetValue(key)}");
                    return ExitCodes.RequestFailed;
                }
                await context.IO.Out.WriteLineAsync(json ? JsonSerializer.Serialize(StoreRequests.Kv(entry), StoreRequests.Json) : StoreRequests.Line(entry, false, true));
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
