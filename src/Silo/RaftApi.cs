using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// The JSON HTTP API under /api: the key-value store through the gateway grain of the configured group, the
/// replicas' status, elections, fault control and the silo's metrics. Every error is application/problem+json.
/// </summary>
public static class RaftApi
{
    public static IEndpointRouteBuilder MapRaftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        // A catch-all, so keys may contain '/'.
        api.MapGet("/kv/{**key}", GetAsync);
        api.MapPut("/kv/{**key}", PutAsync);
        api.MapDelete("/kv/{**key}", DeleteAsync);
        // Not under /kv: a key may end in "/append".
        api.MapPost("/append/{**key}", AppendAsync);
        api.MapGet("/status", StatusAsync);
        api.MapGet("/metrics", (RaftMetricsReader metrics) => Results.Json(metrics.Read()));
        api.MapPost("/replicas/{name}/elect", ElectAsync);
        api.MapPost("/replicas/{name}/stop", StopAsync);
        api.MapPost("/replicas/{name}/start", StartAsync);
        api.MapGet("/faults", FaultsAsync);
        api.MapPost("/faults/split", SplitAsync);
        api.MapPost("/faults/join/{name}", JoinAsync);
        api.MapPost("/faults/heal", HealAsync);
        return app;
    }

    /// <summary>The body of POST /api/faults/split.</summary>
    public sealed record SplitRequest(string? Name, string[]? Replicas);

    private static Task<IResult> GetAsync(string? key, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (CheckKey(key, o) is { } bad) return bad;
        var response = await Gateway(grains, o).Get(key!);
        if (response.Status != KvStatus.Ok) return Failure(context, response);
        return WantsJson(context.Request)
            ? Results.Json(new { key, value = response.Value, index = response.Index, servedBy = response.ServedBy })
            : Results.Text(response.Value ?? "", "text/plain; charset=utf-8", Encoding.UTF8);
    });

    private static Task<IResult> PutAsync(string? key, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (CheckKey(key, o) is { } bad) return bad;
        var (value, error) = await ReadValueAsync(context, o.MaxValueBytes);
        if (error is not null) return error;
        var response = await Gateway(grains, o).Set(key!, value!);
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, index = response.Index, servedBy = response.ServedBy })
            : Failure(context, response);
    });

    private static Task<IResult> AppendAsync(string? key, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (CheckKey(key, o) is { } bad) return bad;
        var (suffix, error) = await ReadValueAsync(context, o.MaxValueBytes);
        if (error is not null) return error;
        var response = await Gateway(grains, o).Append(key!, suffix!);
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, appended = true, index = response.Index, servedBy = response.ServedBy })
            : Failure(context, response);
    });

    private static Task<IResult> DeleteAsync(string? key, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (CheckKey(key, o) is { } bad) return bad;
        var response = await Gateway(grains, o).Delete(key!);
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, deleted = true, index = response.Index, servedBy = response.ServedBy })
            : Failure(context, response);
    });

    private static Task<IResult> StatusAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        var statuses = await Gateway(grains, o).GetStatus();
        var faults = context.RequestServices.IsRaftFaultInjectionEnabled() ? await FaultControl(grains).GetFaults(o.Group) : GroupFaults.None;
        // During an election two replicas may both think they lead, in different terms: the newer term wins.
        var leader = statuses.Where(s => s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault()?.Replica;
        return Results.Json(new
        {
            group = o.Group,
            time = DateTimeOffset.UtcNow,
            leader,
            faultInjection = context.RequestServices.IsRaftFaultInjectionEnabled(),
            partitions = faults.Partitions,
            stopped = faults.Stopped,
            replicas = statuses.Select(s => new
            {
                name = s.Replica,
                silo = s.Silo,
                running = s.Running,
                role = s.Role.ToString(),
                term = s.CurrentTerm,
                leader = s.LeaderId,
                votedFor = s.VotedFor,
                commitIndex = s.CommitIndex,
                appliedIndex = s.LastApplied,
                lastLogIndex = s.LastLogIndex,
                lastLogTerm = s.LastLogTerm,
                snapshotIndex = s.SnapshotIndex,
                error = s.Error,
            }),
        });
    });

    private static Task<IResult> ElectAsync(string name, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (await CheckReplicasAsync(grains, o, [name]) is { } unknown) return unknown;
        await Gateway(grains, o).StartElection(name);
        return Results.Json(new { replica = name, action = "elect" });
    });

    private static Task<IResult> StopAsync(string name, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        if (await CheckReplicasAsync(grains, o, [name]) is { } unknown) return unknown;
        await FaultControl(grains).StopReplica(o.Group, name);
        return Results.Json(new { replica = name, action = "stop" });
    });

    private static Task<IResult> StartAsync(string name, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        if (await CheckReplicasAsync(grains, o, [name]) is { } unknown) return unknown;
        await FaultControl(grains).StartReplica(o.Group, name, []);
        return Results.Json(new { replica = name, action = "start" });
    });

    private static Task<IResult> FaultsAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        return FaultsResult(o.Group, await FaultControl(grains).GetFaults(o.Group));
    });

    private static Task<IResult> SplitAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        SplitRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<SplitRequest>(context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", $"expected a JSON body {{\"name\":\"p\",\"replicas\":[\"r1\"]}}: {ex.Message}");
        }
        if (body?.Name is not { } partition || !ReplicaKey.IsValidName(partition))
            return Problem(StatusCodes.Status400BadRequest, "Bad request", "'name' must be a partition name of letters, digits, '-', '_' or '.'");
        if (body.Replicas is not { Length: > 0 } replicas || replicas.Any(string.IsNullOrEmpty))
            return Problem(StatusCodes.Status400BadRequest, "Bad request", "'replicas' must list at least one replica");
        if (await CheckReplicasAsync(grains, o, replicas) is { } unknown) return unknown;
        var control = FaultControl(grains);
        await control.Split(o.Group, partition, replicas);
        return FaultsResult(o.Group, await control.GetFaults(o.Group));
    });

    private static Task<IResult> JoinAsync(string name, HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        var control = FaultControl(grains);
        if (!(await control.GetFaults(o.Group)).Partitions.ContainsKey(name))
            return Problem(StatusCodes.Status404NotFound, "Unknown partition", $"group '{o.Group}' has no partition named '{name}'");
        await control.Join(o.Group, name);
        return FaultsResult(o.Group, await control.GetFaults(o.Group));
    });

    private static Task<IResult> HealAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        if (FaultsOff(context) is { } off) return off;
        var control = FaultControl(grains);
        await control.Heal(o.Group);
        return FaultsResult(o.Group, await control.GetFaults(o.Group));
    });

    private static IKeyValueGatewayGrain Gateway(IGrainFactory grains, RaftOptions o) => grains.GetGrain<IKeyValueGatewayGrain>(o.Group);

    private static IFaultControlGrain FaultControl(IGrainFactory grains) => grains.GetGrain<IFaultControlGrain>("cluster");

    private static IResult FaultsResult(string group, GroupFaults f) => Results.Json(new
    {
        group,
        partitions = f.Partitions,
        stopped = f.Stopped,
        dropRate = f.DropRate,
        minDelayMs = f.MinDelay.TotalMilliseconds,
        maxDelayMs = f.MaxDelay.TotalMilliseconds,
    });

    private static IResult? FaultsOff(HttpContext context) => context.RequestServices.IsRaftFaultInjectionEnabled()
        ? null
        : Problem(StatusCodes.Status403Forbidden, "Fault injection is off", FaultInjection.DisabledMessage);

    /// <summary>The problem for a refused key; null when it is acceptable.</summary>
    private static IResult? CheckKey(string? key, RaftOptions o) => RequestValidator.ValidateKey(key, o) is { } error
        ? Problem(error, string.IsNullOrEmpty(key) ? "the key is empty: use /api/kv/{key}" : error.Message)
        : null;

    /// <summary>The one place a refused request's kind becomes an HTTP status.</summary>
    private static IResult Problem(RequestError error, string detail) => error.Kind switch
    {
        RequestErrorKind.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "Too large", detail),
        _ => Problem(StatusCodes.Status400BadRequest, "Bad request", detail),
    };

    /// <summary>Reads the body as strict UTF-8, at most maxBytes of it: 413 past the limit, 400 for invalid UTF-8.</summary>
    private static async Task<(string? Value, IResult? Error)> ReadValueAsync(HttpContext context, int maxBytes)
    {
        IResult TooLarge(string size) =>
            Problem(StatusCodes.Status413PayloadTooLarge, "Value too large", $"the value is {size} bytes; the limit is {maxBytes} bytes");

        if (context.Request.ContentLength is { } length && length > maxBytes) return (null, TooLarge($"{length}"));
        // Kestrel's own limit (30 MB) must not cut in below ours.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = (long)maxBytes + 1;

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes) return (null, TooLarge($"over {maxBytes}"));
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge($"over {maxBytes}"));
        }
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Bad request", "the body is not valid UTF-8"));
        }
    }

    /// <summary>404 naming the members when a replica is not in the group; null when all are.</summary>
    private static async Task<IResult?> CheckReplicasAsync(IGrainFactory grains, RaftOptions o, string[] replicas)
    {
        var members = await grains.GetGrain<IRaftGroupDirectoryGrain>(o.Group).GetMembers();
        if (members.Length == 0) members = o.Replicas;
        var unknown = replicas.Where(r => !members.Contains(r)).ToArray();
        if (unknown.Length == 0) return null;
        return Problem(StatusCodes.Status404NotFound, "Unknown replica",
            $"unknown replica{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} in group '{o.Group}' (members: {string.Join(", ", members)})");
    }

    private static IResult Failure(HttpContext context, KvResponse response)
    {
        switch (response.Status)
        {
            case KvStatus.NotFound:
                return Problem(StatusCodes.Status404NotFound, "Not found", response.Error ?? "no such key");
            case KvStatus.InvalidRequest:
                return Problem(StatusCodes.Status400BadRequest, "Bad request", response.Error ?? "invalid request");
            case KvStatus.CompareFailed:
                return Problem(StatusCodes.Status409Conflict, "Compare failed", response.Error ?? "compare failed");
            case KvStatus.Overloaded:
                // Not applied: the client may retry once the leader's backlog drains.
                context.Response.Headers.RetryAfter = "1";
                return Problem(StatusCodes.Status503ServiceUnavailable, "Overloaded", response.Error ?? "the leader has too many uncommitted writes");
            case KvStatus.SessionExpired:
                return Problem(StatusCodes.Status409Conflict, "Session expired", response.Error ?? "the client session expired");
            default:
                // NotLeader, Unavailable and Timeout come back only after the gateway's retries ran out.
                context.Response.Headers.RetryAfter = "1";
                return Problem(StatusCodes.Status503ServiceUnavailable, "No leader", response.Error ?? $"{response.Status}");
        }
    }

    /// <summary>Grain-call failures as problems: bad arguments 400, wrong state 409, an unreachable cluster 503.</summary>
    private static async Task<IResult> Guard(HttpContext context, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ArgumentException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return Problem(StatusCodes.Status409Conflict, "Conflict", ex.Message);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Unavailable", ex.Message);
        }
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>JSON when Accept names application/json at least as highly as text/plain; the raw value otherwise.</summary>
    private static bool WantsJson(HttpRequest request)
    {
        double json = 0, text = -1;
        foreach (var header in request.Headers.Accept)
        {
            foreach (var part in (header ?? "").Split(','))
            {
                if (!MediaTypeWithQualityHeaderValue.TryParse(part.Trim(), out var media)) continue;
                var q = media.Quality ?? 1;
                if (media.MediaType is "application/json" or "application/problem+json") json = Math.Max(json, q);
                else if (media.MediaType is "text/plain") text = Math.Max(text, q);
            }
        }
        return json > 0 && json >= text;
    }
}
