using System.CommandLine;
using System.Text.Json;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'txn --file F.json': etcd's If/Then/Else, in the JSON of POST /api/txn.</summary>
public sealed class TxnVerb : IVerb
{
    public int Order => 46;

    public Command Create(ClientContext context)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "The transaction as JSON, as POST /api/txn takes it ('-': stdin): {\"compares\":[...],\"success\":[...],\"failure\":[...]}",
            HelpName = "F.json|-",
            Required = true,
        };
        var command = new Command("txn", "Run a transaction atomically: if every compare holds, its success operations, else its failure ones; prints which, the revision, and each result")
        {
            file,
        };
        command.SetAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            string text;
            try
            {
                text = path == "-" ? await context.IO.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.IO.Error.WriteLineAsync($"error: cannot read {path}: {ex.Message}");
                return ExitCodes.Usage;
            }
            KvTxn? txn;
            try
            {
                txn = JsonSerializer.Deserialize<KvTxn>(text, StoreRequests.Json);
            }
            catch (JsonException ex)
            {
                await context.IO.Error.WriteLineAsync($"error: the transaction in {(path == "-" ? "stdin" : path)} is not valid: {ClientContext.OneLine(ex.Message)}");
                return ExitCodes.Usage;
            }
            if (txn is null)
            {
                await context.IO.Error.WriteLineAsync("error: a transaction is required: {\"compares\":[...],\"success\":[...],\"failure\":[...]}");
                return ExitCodes.Usage;
            }
            txn = txn with { Compares = txn.Compares ?? [], Success = txn.Success ?? [], Failure = txn.Failure ?? [] };
            return await StoreRequests.RunAsync(context, r, ct, async store =>
            {
                var result = await store.TxnAsync(txn, ct);
                var io = context.IO;
                await io.Out.WriteLineAsync($"{(result.Succeeded ? "SUCCESS" : "FAILURE")} rev={result.Revision}");
                foreach (var op in result.Results)
                {
                    switch (op.Type)
                    {
                        case KvTxnOpType.Put:
                            await io.Out.WriteLineAsync("PUT OK");
                            break;
                        case KvTxnOpType.Delete:
                            await io.Out.WriteLineAsync($"DELETE {op.Deleted}");
                            break;
                        default:
                            await io.Out.WriteLineAsync($"RANGE count={op.Count}{(op.More ? " more" : "")}");
                            foreach (var e in op.Entries) await io.Out.WriteLineAsync(StoreRequests.Line(e, false, false));
                            break;
                    }
                    foreach (var e in op.Previous) await io.Out.WriteLineAsync($"prev {StoreRequests.Line(e, false, false)}");
                }
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
