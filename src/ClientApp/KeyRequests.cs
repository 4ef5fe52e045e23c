using System.CommandLine;

namespace Orleans.Raft.ClientApp;

/// <summary>Sends one key request (through --via if given) and reports the answer: the value alone on stdout, or one error line.</summary>
public static class KeyRequests
{
    public static Argument<string> Key() => new("KEY") { Description = "The key" };

    /// <summary>etcdctl's --consistency: l (linearizable, the default) or s (serializable: any replica, possibly stale).</summary>
    public static Option<ReadConsistency> Consistency()
    {
        var option = new Option<ReadConsistency>("--consistency")
        {
            Description = "l: linearizable, never stale (the default); s: serializable, served by any replica from what it has applied, possibly stale",
            HelpName = "l|s",
            DefaultValueFactory = _ => ReadConsistency.Linearizable,
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (ReadConsistencyNames.TryParse(text, out var consistency)) return consistency;
                r.AddError($"--consistency wants {ReadConsistencyNames.Accepted}, got '{text}'");
                return ReadConsistency.Linearizable;
            },
        };
        option.CompletionSources.Add("l", "s", "linearizable", "serializable");
        return option;
    }

    public static Task<int> RunAsync(ClientContext context, ParseResult result, KvRequest request) =>
        context.RunAsync(result, async client =>
        {
            var gateway = client.GetGrain<IKeyValueGatewayGrain>(GlobalOptions.GroupName(result));
            var response = result.GetValue(GlobalOptions.Via) is { } via ? await gateway.ExecuteVia(via, request) : await gateway.Execute(request);
            return await ReportAsync(context.IO, request, response);
        });

    public static async Task<int> ReportAsync(ClientIO io, KvRequest request, KvResponse response)
    {
        switch (response.Status)
        {
            case KvStatus.Ok when request.Operation == KvOperation.Get:
                await io.Out.WriteLineAsync(response.Value);
                return ExitCodes.Ok;
            case KvStatus.Ok:
                await io.Out.WriteLineAsync("OK");
                return ExitCodes.Ok;
            case KvStatus.NotFound:
                await io.Error.WriteLineAsync($"error: No such key: {request.Key}");
                return ExitCodes.RequestFailed;
            case KvStatus.CompareFailed:
                await io.Error.WriteLineAsync(response.Value is null
                    ? $"error: compare failed: {request.Key} does not exist"
                    : $"error: compare failed: {request.Key} holds '{response.Value}'");
                return ExitCodes.RequestFailed;
            case KvStatus.InvalidRequest:
                await io.Error.WriteLineAsync($"error: invalid request: {response.Error}");
                return ExitCodes.RequestFailed;
            default:
                // Any other status, including ones added later, is a failed request with the cluster's own words.
                await io.Error.WriteLineAsync($"error: {ClientContext.OneLine(response.Error ?? response.Status.ToString())}");
                return ExitCodes.RequestFailed;
        }
    }
}
