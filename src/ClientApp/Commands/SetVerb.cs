using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class SetVerb : IVerb
{
    public int Order => 20;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var value = new Argument<string?>("VALUE")
        {
            Description = "The value; without it, all of stdin is the value (set KEY < FILE). Put '--' before a value that starts with '-'",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var lease = new Option<long?>("--lease")
        {
            Description = "Attach KEY to this lease (from 'lease grant'): it is deleted when the lease expires or is revoked",
            HelpName = "ID",
            CustomParser = r => StoreRequests.ParseLease(r, "--lease"),
        };
        var command = new Command("set", "Set KEY to VALUE") { key, value, lease };
        command.Validators.Add(r =>
        {
            if (r.GetValue(value) is null && !context.IO.InputRedirected) r.AddError("set needs a VALUE, or the value on stdin (set KEY < FILE)");
        });
        command.SetAction(async (r, ct) =>
        {
            // The bytes of the file are the value, trailing newline included, as etcdctl put does.
            var text = r.GetValue(value) ?? await context.IO.In.ReadToEndAsync(ct);
            if (r.GetValue(lease) is not { } id) return await KeyRequests.RunAsync(context, r, KvRequest.Set(r.GetValue(key)!, text));
            return await StoreRequests.RunAsync(context, r, ct, async store =>
            {
                await store.PutAsync(r.GetValue(key)!, text, id, ct);
                await context.IO.Out.WriteLineAsync("OK");
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
