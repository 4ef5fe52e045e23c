using System.CommandLine;
using Orleans.Raft.Client;

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

    /// <summary>
    /// Through the typed client, as every other verb; with --via, which the client does not offer (it picks no replica),
    /// straight to the gateway's ExecuteVia.
    /// </summary>
    public static Task<int> RunAsync(ClientContext context, ParseResult result, KvRequest request) =>
        result.GetValue(GlobalOptions.Via) is { } via
            ? context.RunAsync(result, async client =>
                await ReportAsync(context.IO, request, await client.GetGrain<IKeyValueGatewayGrain>(GlobalOptions.GroupName(result)).ExecuteVia(via, request)))
            : StoreRequests.RunAsync(context, result, CancellationToken.None, store => ThroughStoreAsync(context.IO, store, request));

    private static async Task<int> ThroughStoreAsync(ClientIO io, IRaftKeyValueStore store, KvRequest request)
    {
        switch (request.Operation)
        {
            case KvOperation.Get:
                if (await store.GetAsync(request.Key, request.Consistency) is not { } entry) return await NoSuchKeyAsync(io, request.Key);
                await io.Out.WriteLineAsync(entry.Value);
                return ExitCodes.Ok;
            case KvOperation.Set:
                await store.PutAsync(request.Key, request.Value!);
                break;
            case KvOperation.Delete:
                if (!await store.DeleteAsync(request.Key)) return await NoSuchKeyAsync(io, request.Key);
                break;
            case KvOperation.CompareAndSet:
                var compared = await store.CompareAndSetAsync(request.Key, request.Expected, request.Value!);
                if (!compared.Succeeded) return await CompareFailedAsync(io, request.Key, compared.Current?.Value);
                break;
            case KvOperation.Append:
                await store.AppendAsync(request.Key, request.Value!);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Operation, "not a single-key request");
        }
        await io.Out.WriteLineAsync("OK");
        return ExitCodes.Ok;
    }

    private static async Task<int> NoSuchKeyAsync(ClientIO io, string key)
    {
        await io.Error.WriteLineAsync($"error: No such key: {key}");
        return ExitCodes.RequestFailed;
    }

    private static async Task<int> CompareFailedAsync(ClientIO io, string key, string? found)
    {
        await io.Error.WriteLineAsync(found is null ? $"error: compare failed: {key} does not exist" : $"error: compare failed: {key} holds '{found}'");
        return ExitCodes.RequestFailed;
    }

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
                return await NoSuchKeyAsync(io, request.Key);
            case KvStatus.CompareFailed:
                return await CompareFailedAsync(io, request.Key, response.Value);
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
