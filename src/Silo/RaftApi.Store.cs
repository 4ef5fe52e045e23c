using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Orleans.Raft.Client;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

// etcd's API over HTTP: ranges, transactions, leases, and watches as Server-Sent Events, through the typed client.
public static partial class RaftApi
{
    private static IRaftKeyValueStore Store(IGrainFactory grains, IOptions<RaftOptions> options) => grains.GetRaftKeyValueStore(options.Value.Group);

    /// <summary>A call through the typed client: its typed failures answer as the gateway's statuses do.</summary>
    private static Task<IResult> StoreCall(HttpContext context, Func<Task<IResult>> handler) => Guard(context, async () =>
    {
        try
        {
            return await handler();
        }
        catch (RaftLeaseNotFoundException ex)
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", ex.Message);
        }
        catch (RaftKeyValueException ex)
        {
            return Failure(context, new KvResponse { Status = ex.Status, Error = ex.Message, ServedBy = ex.ServedBy });
        }
    });

    private static readonly JsonSerializerOptions TxnJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The body of POST /api/leases: the TTL in seconds, and a key of the group to grant it in (a store of several groups).</summary>
    public sealed record LeaseGrantRequest(double Ttl, string? Key);

    private static void MapStoreApi(RouteGroupBuilder api)
    {
        api.MapGet("/range", RangeAsync);
        api.MapPost("/txn", TxnAsync);
        api.MapPost("/leases", LeaseGrantAsync);
        api.MapGet("/leases", (HttpContext c, IGrainFactory g, IOptions<RaftOptions> o) => LeaseAsync(c, g, o, KvOperation.LeaseList, "0"));
        api.MapGet("/leases/{id}", (HttpContext c, IGrainFactory g, IOptions<RaftOptions> o, string id) => LeaseAsync(c, g, o, KvOperation.LeaseTimeToLive, id));
        api.MapPost("/leases/{id}/keepalive", (HttpContext c, IGrainFactory g, IOptions<RaftOptions> o, string id) => LeaseAsync(c, g, o, KvOperation.LeaseKeepAlive, id));
        api.MapDelete("/leases/{id}", (HttpContext c, IGrainFactory g, IOptions<RaftOptions> o, string id) => LeaseAsync(c, g, o, KvOperation.LeaseRevoke, id));
        api.MapGet("/watch", WatchAsync);
    }

    private static object Kv(KvEntry e) => new { key = e.Key, value = e.Value, createRevision = e.CreateRevision, modRevision = e.ModRevision, version = e.Version, lease = e.Lease };

    /// <summary>The range a query names: ?prefix=P, or ?from=K with an optional &amp;to=E (exclusive; omitted: the key alone; "\0" or ?all: every key on).</summary>
    private static (string Key, string? End, IResult? Error) RangeOf(HttpContext context)
    {
        var q = context.Request.Query;
        if (q.TryGetValue("prefix", out var prefix))
        {
            if (q.ContainsKey("from") || q.ContainsKey("to")) return ("", null, Problem(StatusCodes.Status400BadRequest, "Bad request", "give a prefix, or from and to, not both"));
            var p = prefix.ToString();
            return (p, KeyRange.PrefixEnd(p), null);
        }
        if (!q.TryGetValue("from", out var from)) return ("", null, Problem(StatusCodes.Status400BadRequest, "Bad request", "give ?prefix=P, or ?from=K (and &to=E)"));
        string? end = q.TryGetValue("to", out var to) ? to.ToString() : null;
        if (q.ContainsKey("all")) end = KeyRange.AllFrom;
        return (from.ToString(), end, null);
    }

    private static (long Value, IResult? Error) NumberOf(HttpContext context, string name, long otherwise = 0)
    {
        if (!context.Request.Query.TryGetValue(name, out var text)) return (otherwise, null);
        return long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (n, null)
            : (0, Problem(StatusCodes.Status400BadRequest, "Bad request", $"'{name}' must be a whole number, 0 or more, not '{text}'"));
    }

    private static bool FlagOf(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var v) && (v.ToString() is "" or "true" or "1");

    private static Task<IResult> RangeAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => StoreCall(context, async () =>
    {
        var (key, end, bad) = RangeOf(context);
        if (bad is not null) return bad;
        var (limit, badLimit) = NumberOf(context, "limit");
        if (badLimit is not null) return badLimit;
        var (consistency, badConsistency) = ConsistencyOf(context);
        if (badConsistency is not null) return badConsistency;
        var range = await Store(grains, options).RangeAsync(key, end, limit, FlagOf(context, "keysOnly"), consistency, context.RequestAborted);
        return Results.Json(new { revision = range.Revision, count = range.Count, more = range.More, kvs = range.Entries.Select(Kv) });
    });

    private static Task<IResult> TxnAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => StoreCall(context, async () =>
    {
        var (txn, bad) = await JsonBodyAsync<KvTxn>(context, "the transaction");
        if (bad is not null) return bad;
        if (txn is null) return Problem(StatusCodes.Status400BadRequest, "Bad request", "a transaction is required: {\"compares\":[...],\"success\":[...],\"failure\":[...]}");
        txn = txn with { Compares = txn.Compares ?? [], Success = txn.Success ?? [], Failure = txn.Failure ?? [] };
        var result = await Store(grains, options).TxnAsync(txn, context.RequestAborted);
        return Results.Json(new
        {
            succeeded = result.Succeeded,
            revision = result.Revision,
            results = result.Results.Select(r => new { type = r.Type.ToString(), kvs = r.Entries.Select(Kv), count = r.Count, more = r.More, deleted = r.Deleted, prevKvs = r.Previous.Select(Kv) }),
        });
    });

    private static Task<IResult> LeaseGrantAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => StoreCall(context, async () =>
    {
        var (body, bad) = await JsonBodyAsync<LeaseGrantRequest>(context, "the body");
        if (bad is not null) return bad;
        if (body is null || !double.IsFinite(body.Ttl) || body.Ttl <= 0) return Problem(StatusCodes.Status400BadRequest, "Bad request", "give the lease's TTL in seconds: {\"ttl\": 10}");
        var id = await Store(grains, options).GrantLeaseAsync(TimeSpan.FromSeconds(body.Ttl), body.Key, context.RequestAborted);
        return Results.Json(new { id, ttl = body.Ttl });
    });

    /// <summary>The request's JSON body (null for "null"), or a 400 that names what was not valid JSON.</summary>
    private static async Task<(T? Body, IResult? Bad)> JsonBodyAsync<T>(HttpContext context, string what) where T : class
    {
        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(context.Request.Body, TxnJson, context.RequestAborted), null);
        }
        catch (JsonException ex)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Bad request", $"{what} is not valid JSON: {ex.Message}"));
        }
    }

    private static object Lease(KvLease l) => new { id = l.Id, ttl = l.Ttl.TotalSeconds, remaining = l.Remaining?.TotalSeconds, keys = l.Keys };

    private static Task<IResult> LeaseAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options, KvOperation operation, string id) => StoreCall(context, async () =>
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var lease) || (lease <= 0 && operation != KvOperation.LeaseList))
            return Problem(StatusCodes.Status400BadRequest, "Bad request", $"a lease id is a positive whole number, not '{id}'");
        var store = Store(grains, options);
        var ct = context.RequestAborted;
        switch (operation)
        {
            case KvOperation.LeaseList:
                return Results.Json(new { leases = (await store.ListLeasesAsync(ct)).Select(Lease) });
            case KvOperation.LeaseRevoke:
                await store.RevokeLeaseAsync(lease, ct);
                return Results.Json(new { id = lease, revoked = true });
            case KvOperation.LeaseKeepAlive:
                return Results.Json(Lease(await store.KeepAliveAsync(lease, ct)));
            default:
                return Results.Json(Lease(await store.GetLeaseAsync(lease, ct)));
        }
    });

    /// <summary>
    /// GET /api/watch?key=K or ?prefix=P, from ?rev=N (or the Last-Event-ID a reconnecting EventSource sends, plus one):
    /// Server-Sent Events, one per change, each with its revision as its id, so a client that reconnects resumes where it
    /// stopped. A revision older than the history kept ends the stream with a "compacted" event.
    /// </summary>
    private static async Task WatchAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options)
    {
        var q = context.Request.Query;
        var (key, end) = q.TryGetValue("prefix", out var prefix) ? (prefix.ToString(), KeyRange.PrefixEnd(prefix.ToString())) : (q["key"].ToString(), (string?)null);
        var (rev, badRev) = NumberOf(context, "rev");
        if (badRev is null && rev == 0 && long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last)) rev = last + 1;
        var error = badRev ?? (RequestValidator.ValidateRange(key, end, options.Value) is { } e ? Problem(StatusCodes.Status400BadRequest, "Bad request", $"{e.Message}: give ?key=K or ?prefix=P") : null);
        if (error is not null)
        {
            await error.ExecuteAsync(context);
            return;
        }
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var prevKv = FlagOf(context, "prevKv");
        try
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (var change in Store(grains, options).WatchAsync(key, end, rev, prevKv, context.RequestAborted))
            {
                var data = JsonSerializer.Serialize(new { revision = change.Revision, kv = Kv(change.Entry!), prevKv = change.Previous is null ? null : Kv(change.Previous) });
                await context.Response.WriteAsync($"id: {change.Revision}\nevent: {change.Type.ToString().ToLowerInvariant()}\ndata: {data}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (ArgumentException ex)
        {
            // The stream has begun: the refusal goes as its last event, not as a status.
            await context.Response.WriteAsync($"event: error\ndata: {JsonSerializer.Serialize(new { detail = ex.Message })}\n\n", context.RequestAborted);
        }
        catch (RaftCompactedException ex)
        {
            var data = JsonSerializer.Serialize(new { compactRevision = ex.CompactRevision, resumeFrom = ex.ResumeFrom });
            await context.Response.WriteAsync($"event: compacted\ndata: {data}\n\n", context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
