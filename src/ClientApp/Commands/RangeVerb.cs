using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'range FROM [TO]': the keys in [FROM, TO), sorted, as etcdctl get FROM TO.</summary>
public sealed class RangeVerb : IVerb
{
    public int Order => 12;

    public Command Create(ClientContext context)
    {
        var from = new Argument<string>("FROM") { Description = "The first key of the range" };
        var to = new Argument<string?>("TO") { Description = "The end of the range, not included (omitted: FROM alone)", Arity = ArgumentArity.ZeroOrOne };
        var fromKey = new Option<bool>("--from-key") { Description = "Every key from FROM on" };
        var limit = StoreRequests.Limit();
        var keysOnly = StoreRequests.KeysOnly();
        var revisions = StoreRequests.Revisions();
        var consistency = KeyRequests.Consistency();
        var output = StoreRequests.Output();
        var command = new Command("range", "Print the keys in [FROM, TO) in order, one 'key value' a line")
        {
            from, to, fromKey, limit, keysOnly, revisions, consistency, output,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(fromKey) && r.GetValue(to) is not null) r.AddError("give TO or --from-key, not both");
        });
        command.SetAction((r, ct) => StoreRequests.RunAsync(context, r, ct, async store =>
        {
            var end = r.GetValue(fromKey) ? KeyRange.AllFrom : r.GetValue(to);
            var range = await store.RangeAsync(r.GetValue(from)!, end, r.GetValue(limit), r.GetValue(keysOnly), r.GetValue(consistency), ct);
            return await StoreRequests.WriteRangeAsync(context.IO, range, r.GetValue(keysOnly), r.GetValue(revisions), r.GetValue(output) == "json");
        }));
        return command;
    }
}
