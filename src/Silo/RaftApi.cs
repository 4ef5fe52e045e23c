using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orleans.Raft.Faults;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// The JSON HTTP API under /api: the key-value store through the gateway grain of the configured group, the
/// replicas' status, elections, fault control and the silo's metrics. Every error is application/problem+json.
/// </summary>
public static partial class RaftApi
{
    private const string KvRoute = "/api/kv/";
    private const string AppendRoute = "/api/append/";

    public static IEndpointRouteBuilder MapRaftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        // A catch-all, so keys may contain '/'; the handlers read the key from the raw path (KeyOf).
        api.MapGet("/kv/{**key}", GetAsync);
        api.MapPut("/kv/{**key}", PutAsync);
        api.MapDelete("/kv/{**key}", DeleteAsync);
        // Not under /kv: a key may end in "/append".
        api.MapPost("/append/{**key}", AppendAsync);
        api.MapGet("/status", StatusAsync);
        api.MapGet("/metrics", (RaftMetricsReader metrics) => Results.Json(metrics.Read()));
        api.MapGet("/events", Events);
        // Operator actions go into the console's timeline with their outcome.
        api.MapPost("/replicas/{name}/elect", ElectAsync).RecordedAs(c => $"transfer leadership to {Route(c, "name")}");
        api.MapPost("/replicas/{name}/stop", StopAsync).RecordedAs(c => $"stop {Route(c, "name")}");
        api.MapPost("/replicas/{name}/start", StartAsync).RecordedAs(c => $"start {Route(c, "name")}");
        api.MapGet("/members", MembersAsync);
        api.MapGet("/members/events", MemberEventsAsync);
        api.MapPost("/members", AddMemberAsync).RecordedAs(_ => "add a replica");
        api.MapDelete("/members/{name}", RemoveMemberAsync).RecordedAs(c => $"remove {Route(c, "name")}");
        api.MapPost("/leader/{name}", TransferLeaderAsync).RecordedAs(c => $"transfer leadership to {Route(c, "name")}");
        api.MapPost("/nodes/{node}/drain", DrainNodeAsync).RecordedAs(c => $"drain node {Route(c, "node")}");
        api.MapGet("/faults", FaultsAsync);
        api.MapPost("/faults/split", SplitAsync).RecordedAs(_ => "split off a partition");
        api.MapPost("/faults/join/{name}", JoinAsync).RecordedAs(c => $"heal partition {Route(c, "name")}");
        api.MapPost("/faults/heal", HealAsync).RecordedAs(_ => "heal every partition");
        MapStoreApi(api);
        return app;
    }

    /// <summary>The body of POST /api/faults/split.</summary>
    public sealed record SplitRequest(string? Name, string[]? Replicas);

    /// <summary>The body of POST /api/members: the node to put the new replica on, or none to pick a spare.</summary>
    public sealed record AddMemberRequest(string? Node);

    private static Task<IResult> GetAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        var (key, bad) = KeyOf(context, KvRoute, o);
        if (bad is not null) return bad;
        var (consistency, badConsistency) = ConsistencyOf(context);
        if (badConsistency is not null) return badConsistency;
        var response = await Gateway(grains, o).Execute(KvRequest.Get(key, consistency));
        if (response.Status != KvStatus.Ok) return Failure(context, response);
        return WantsJson(context.Request)
            ? Results.Json(new
            {
                key,
                value = response.Value,
                index = response.Index,
                servedBy = response.ServedBy,
                revision = response.Revision,
                createRevision = response.Entry?.CreateRevision,
                modRevision = response.Entry?.ModRevision,
                version = response.Entry?.Version,
                lease = response.Entry?.Lease,
            })
            : Results.Text(response.Value ?? "", "text/plain; charset=utf-8", Encoding.UTF8);
    });

    private static Task<IResult> PutAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        var (key, bad) = KeyOf(context, KvRoute, o);
        if (bad is not null) return bad;
        var (value, error) = await ReadValueAsync(context, o.MaxValueBytes);
        if (error is not null) return error;
        var (lease, badLease) = NumberOf(context, "lease");
        if (badLease is not null) return badLease;
        var response = await Gateway(grains, o).Execute(KvRequest.Set(key, value!) with { Lease = lease });
        if (response.Status == KvStatus.LeaseNotFound) return Problem(StatusCodes.Status404NotFound, "Not found", response.Error ?? $"lease {lease} not found");
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, index = response.Index, servedBy = response.ServedBy, revision = response.Revision, lease })
            : Failure(context, response);
    });

    private static Task<IResult> AppendAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        var (key, bad) = KeyOf(context, AppendRoute, o);
        if (bad is not null) return bad;
        var (suffix, error) = await ReadValueAsync(context, o.MaxValueBytes);
        if (error is not null) return error;
        var response = await Gateway(grains, o).Append(key, suffix!);
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, appended = true, index = response.Index, servedBy = response.ServedBy })
            : Failure(context, response);
    });

    private static Task<IResult> DeleteAsync(HttpContext context, IGrainFactory grains, IOptions<RaftOptions> options) => Guard(context, async () =>
    {
        var o = options.Value;
        var (key, bad) = KeyOf(context, KvRoute, o);
        if (bad is not null) return bad;
        var response = await Gateway(grains, o).Delete(key);
        return response.Status == KvStatus.Ok
            ? Results.Json(new { key, deleted = true, index = response.Index, servedBy = response.ServedBy })
            : Failure(context, response);
    });

    private static Task<IResult> StatusAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (named, bad) = NamedGroup(context);
        if (bad is not null) return bad;
        // One call for every group of the store; a group of no store (a script's, a test's) apart.
        var all = await grains.GetGrain<IKeyValueGatewayGrain>(layout.Store).GetStatus();
        var detail = named ?? (layout.IsSharded ? null : layout.Store);
        var statuses = detail is null ? all
            : layout.Shards.Contains(detail) ? [.. all.Where(s => s.Group == detail)]
            : await grains.GetGrain<IKeyValueGatewayGrain>(detail).GetStatus();
        var faultInjection = context.RequestServices.IsRaftFaultInjectionEnabled();
        var faults = faultInjection && detail is not null ? await FaultControl(grains).GetFaults(detail) : GroupFaults.None;
        // During an election two replicas may both think they lead, in different terms: the newer term wins.
        var leading = detail is null ? null : statuses.Where(s => s.IsLive && s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault();
        var leader = detail is null ? null : statuses.Where(s => s.Role == ReplicaRole.Leader).OrderByDescending(s => s.CurrentTerm).FirstOrDefault()?.Replica;
        var groups = layout.Groups.Select(g => GroupSummary.From(g, [.. all.Where(s => s.Group == g)])).ToArray();
        return Results.Json(new
        {
            // The group described below; with several groups and none named, the store, with every group's replicas.
            group = detail ?? layout.Store,
            store = layout.Store,
            time = DateTimeOffset.UtcNow,
            leader,
            faultInjection,
            partitions = faults.Partitions,
            stopped = faults.Stopped,
            // The leader's configuration: null while no replica leads.
            configuration = leading is null ? null : new
            {
                voters = leading.Members.Select(ReplicaKey.NameOf),
                learners = leading.Learners.Select(ReplicaKey.NameOf),
                changePending = leading.ConfigChangePending,
                leadTransferee = leading.LeadTransferee,
            },
            replicas = statuses.Select(ReplicaJson.From),
            groups = groups.Select(g => new
            {
                name = g.Group,
                leader = g.Leader,
                leaderNode = g.LeaderNode,
                term = g.Term,
                commitIndex = g.CommitIndex,
                lag = g.Lag,
                live = g.Live,
                members = g.Members,
            }),
            nodes = NodesJson(context.RequestServices, layout, all, groups),
            // How many groups each node's replicas lead; nodes that lead none are left out.
            leadersPerNode = groups.Where(g => g.LeaderNode is not null).CountBy(g => g.LeaderNode!).OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(),
        });
    });

    /// <summary>
    /// One replica in /api/status; the numbers are null when it is stopped or unreachable, as they are stale. Quiesced:
    /// its group is idle and it has stopped its timers; ticking: its tick timer runs. RemovedReplicas: the replicas its
    /// applied state records as removed from the group for good ("name@node"). Peers: a leader's view of each peer's
    /// replication, null on any other replica.
    /// </summary>
    private sealed record ReplicaJson(
        string Name, string? Node, string? Silo, bool Running, string Role, long? Term, string? Leader, string? VotedFor,
        long? CommitIndex, long? AppliedIndex, long? LastLogIndex, long? LastLogTerm, long? SnapshotIndex, string? Error, string? Membership, string Group,
        bool? Quiesced, bool? Ticking, string[]? RemovedReplicas, PeerJson[]? Peers)
    {
        public static ReplicaJson From(ReplicaStatus s) => s.IsLive
            ? new(s.Replica, s.Node, s.Silo, s.Running, s.Role.ToString(), s.CurrentTerm, s.LeaderId, s.VotedFor,
                s.CommitIndex, s.LastApplied, s.LastLogIndex, s.LastLogTerm, s.SnapshotIndex, null, MembershipName(s.Membership), s.Group,
                s.Quiesced, s.Ticking, s.RemovedReplicas, s.Role == ReplicaRole.Leader ? [.. s.Peers.Select(PeerJson.From)] : null)
            : new(s.Replica, s.Node, s.Silo, s.Running, s.Role.ToString(), null, null, null,
                null, null, null, null, null, s.Error is null ? null : Sentence(s.Error, "the replica did not answer"), null, s.Group,
                null, null, null, null);
    }

    private static string? MembershipName(MemberRole role) => role switch
    {
        MemberRole.Voter => "voter",
        MemberRole.Learner => "learner",
        _ => null,
    };

    private static Task<IResult> MembersAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "member list");
        if (bad is not null) return bad;
        var list = await Membership(grains, group).List();
        return Results.Json(new
        {
            group = list.Group,
            leader = list.Leader,
            changePending = list.ChangePending,
            members = list.Members.Select(m => new { replica = m.Replica, node = m.Node, role = MembershipName(m.Role), live = m.Live, leader = m.IsLeader, applied = m.Live ? m.Applied : (long?)null }),
        });
    });

    /// <summary>
    /// GET /api/members/events?after=N: the membership steps recorded after sequence number N (default 0, all that are
    /// held), oldest first. Numbers restart from 1 under a new epoch when the membership grain is activated again.
    /// </summary>
    private static Task<IResult> MemberEventsAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "member events");
        if (bad is not null) return bad;
        long after = 0;
        if (context.Request.Query.TryGetValue("after", out var text)
            && (!long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", $"'after' must be a sequence number (0 or more), not '{text}'");
        }
        var page = await Membership(grains, group).Events(after);
        return Results.Json(new
        {
            group = page.Group,
            epoch = page.Epoch,
            last = page.Last,
            missed = page.Missed,
            events = page.Events.Select(e => new { seq = e.Sequence, time = e.Time, operation = e.Operation, text = e.Text, refused = e.Refused }),
        });
    });

    private static Task<IResult> AddMemberAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "member add");
        if (bad is not null) return bad;
        AddMemberRequest? body = null;
        if (context.Request.ContentLength is not 0 && context.Request.HasJsonContentType())
        {
            try
            {
                body = await context.Request.ReadFromJsonAsync<AddMemberRequest>(context.RequestAborted);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad request", $"expected an empty body or a JSON body {{\"node\":\"n4\"}}: {ex.Message}");
            }
        }
        if (body?.Node is { } node && !ReplicaKey.IsValidName(node))
            return Problem(StatusCodes.Status400BadRequest, "Bad request", "'node' must be a node name of letters, digits, '-', '_' or '.'");
        var done = await Membership(grains, group).Add(body?.Node);
        return Results.Json(new { group, action = "add", result = done });
    });

    private static Task<IResult> RemoveMemberAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "member remove");
        if (bad is not null) return bad;
        if (await CheckReplicasAsync(grains, layout, group, [name]) is { } unknown) return unknown;
        var done = await Membership(grains, group).Remove(name);
        return Results.Json(new { group, replica = name, action = "remove", result = done });
    });

    private static Task<IResult> TransferLeaderAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "leader transfer");
        if (bad is not null) return bad;
        if (await CheckReplicasAsync(grains, layout, group, [name]) is { } unknown) return unknown;
        var done = await Membership(grains, group).TransferLeadership(name);
        return Results.Json(new { group, replica = name, action = "transfer", result = done });
    });

    private static Task<IResult> DrainNodeAsync(string node, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (!ReplicaKey.IsValidName(node)) return Problem(StatusCodes.Status400BadRequest, "Bad request", $"'{node}' is not a valid node name");
        var (named, bad) = NamedGroup(context);
        if (bad is not null) return bad;
        if (named is not null)
        {
            var one = await Membership(grains, named).DrainNode(node);
            return Results.Json(new { group = named, node, action = "drain", result = one });
        }
        // Every group of the store with a replica on the node, one after another; a refusal stops none of the others.
        var drained = await StoreDrain.RunAsync(grains, layout.Store, node);
        var results = drained.Select(d => new { group = d.Group, result = d.Result, error = d.Error }).ToArray();
        var result = drained.Length == 0 ? StoreDrain.NothingOn(layout.Store, node)
            : !layout.IsSharded ? drained[0].Result
            : string.Join("\n", drained.Select(d => $"{d.Group}: {d.Result ?? "refused: " + d.Error}"));
        if (drained.FirstOrDefault(d => !d.Succeeded) is { } refused)
        {
            var detail = !layout.IsSharded ? Sentence(refused.Error, "the drain was refused")
                : $"the drain of node {node} was refused in {drained.Count(d => !d.Succeeded)} of {drained.Length} groups; {refused.Group}: {Sentence(refused.Error, "refused")}";
            return Results.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                extensions: new Dictionary<string, object?> { ["store"] = layout.Store, ["node"] = node, ["groups"] = results });
        }
        return Results.Json(new { group = layout.Store, store = layout.Store, node, action = "drain", result, groups = results });
    });

    private static IRaftMembershipGrain Membership(IGrainFactory grains, string group) => grains.GetGrain<IRaftMembershipGrain>(group);

    /// <summary>
    /// The group a request names with ?group=, else the store's only group; with several groups and none named, a 400
    /// that says how to name one.
    /// </summary>
    private static (string Group, IResult? Error) OneGroup(HttpContext context, RaftGroupLayout layout, string operation)
    {
        var (named, bad) = NamedGroup(context);
        if (bad is not null) return ("", bad);
        if (named is not null) return (named, null);
        return layout.IsSharded ? ("", Problem(StatusCodes.Status400BadRequest, "Name a group", layout.NotAGroup(operation))) : (layout.Store, null);
    }

    /// <summary>The group named by ?group=, or null; a 400 for a malformed name.</summary>
    private static (string? Group, IResult? Error) NamedGroup(HttpContext context)
    {
        if (!context.Request.Query.TryGetValue("group", out var values)) return (null, null);
        var group = values.ToString();
        return ReplicaKey.IsValidName(group) ? (group, null)
            : (null, Problem(StatusCodes.Status400BadRequest, "Bad request", $"'{group}' is not a valid group name: letters, digits, '-', '_' or '.'"));
    }

    private static Task<IResult> ElectAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        var (group, bad) = OneGroup(context, layout, "an election");
        if (bad is not null) return bad;
        if (await CheckReplicasAsync(grains, layout, group, [name]) is { } unknown) return unknown;
        // A graceful transfer, not a forced election: no client request fails because of it.
        var done = await Membership(grains, group).TransferLeadership(name);
        return Results.Json(new { group, replica = name, action = "elect", result = done });
    });

    private static Task<IResult> StopAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
        if (await CheckReplicasAsync(grains, layout, group, [name]) is { } unknown) return unknown;
        await FaultControl(grains).StopReplica(group, name);
        return Results.Json(new { replica = name, action = "stop" });
    });

    private static Task<IResult> StartAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
        if (await CheckReplicasAsync(grains, layout, group, [name]) is { } unknown) return unknown;
        await FaultControl(grains).StartReplica(group, name, []);
        return Results.Json(new { replica = name, action = "start" });
    });

    private static Task<IResult> FaultsAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
        return FaultsResult(group, await FaultControl(grains).GetFaults(group));
    });

    private static Task<IResult> SplitAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
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
        if (await CheckReplicasAsync(grains, layout, group, replicas) is { } unknown) return unknown;
        var control = FaultControl(grains);
        await control.Split(group, partition, replicas);
        return FaultsResult(group, await control.GetFaults(group));
    });

    private static Task<IResult> JoinAsync(string name, HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
        var control = FaultControl(grains);
        if (!(await control.GetFaults(group)).Partitions.ContainsKey(name))
            return Problem(StatusCodes.Status404NotFound, "Unknown partition", $"group '{group}' has no partition named '{name}'");
        await control.Join(group, name);
        return FaultsResult(group, await control.GetFaults(group));
    });

    private static Task<IResult> HealAsync(HttpContext context, IGrainFactory grains, RaftGroupLayout layout) => Guard(context, async () =>
    {
        if (FaultsOff(context) is { } off) return off;
        var (group, bad) = OneGroup(context, layout, "a fault");
        if (bad is not null) return bad;
        var control = FaultControl(grains);
        await control.Heal(group);
        return FaultsResult(group, await control.GetFaults(group));
    });

    /// <summary>The store's gateway: with several groups it routes each key to its group.</summary>
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

    /// <summary>
    /// The key from the raw request path after <paramref name="route"/>, percent-decoded once as UTF-8, then checked.
    /// The server's decoded path cannot be used: it leaves "%2F" encoded but decodes "%25", so "a%2Fb" and "a%252Fb"
    /// would be the same key.
    /// </summary>
    private static (string Key, IResult? Error) KeyOf(HttpContext context, string route, RaftOptions o)
    {
        var rawPath = RawPath(context.Features.Get<IHttpRequestFeature>()?.RawTarget);
        var prefix = context.Request.PathBase.ToUriComponent() + route;
        string? key;
        if (rawPath is not null && rawPath.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            key = PercentDecode(rawPath[prefix.Length..]);
            if (key is null)
                return ("", Problem(StatusCodes.Status400BadRequest, "Bad request", "the key is not percent-encoded UTF-8: write '%' as %25"));
        }
        else
        {
            // A path the server rewrote on the way in (dot segments, an encoded prefix): its own decoding is all there is.
            key = context.Request.RouteValues["key"] as string;
        }
        return (key ?? "", CheckKey(key, o));
    }

    /// <summary>The get's ?consistency= (etcd's l or s, or the whole word); linearizable when absent.</summary>
    private static (ReadConsistency Consistency, IResult? Error) ConsistencyOf(HttpContext context)
    {
        var values = context.Request.Query["consistency"];
        if (values.Count == 0) return (ReadConsistency.Linearizable, null);
        if (values.Count == 1 && ReadConsistencyNames.TryParse(values[0], out var consistency)) return (consistency, null);
        return (ReadConsistency.Linearizable, Problem(StatusCodes.Status400BadRequest, "Bad request",
            $"'consistency' must be {ReadConsistencyNames.Accepted}, not '{string.Join(",", values.ToArray())}'"));
    }

    /// <summary>The path part of a request target, which may be in absolute form; null when there is none.</summary>
    private static string? RawPath(string? target)
    {
        if (string.IsNullOrEmpty(target)) return null;
        if (!target.StartsWith('/'))
        {
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            var slash = scheme < 0 ? -1 : target.IndexOf('/', scheme + 3);
            if (slash < 0) return null;
            target = target[slash..];
        }
        var query = target.IndexOf('?');
        return query < 0 ? target : target[..query];
    }

    /// <summary>Decodes every %XX escape once; the bytes must be UTF-8. Null for a malformed escape or invalid UTF-8.</summary>
    private static string? PercentDecode(string raw)
    {
        var bytes = new List<byte>(raw.Length);
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '%') continue;
            bytes.AddRange(Encoding.UTF8.GetBytes(raw[start..i]));
            if (i + 2 >= raw.Length || !byte.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)) return null;
            bytes.Add(b);
            i += 2;
            start = i + 1;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(raw[start..]));
        try
        {
            return StrictUtf8.GetString(CollectionsMarshal.AsSpan(bytes));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

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
    private static async Task<IResult?> CheckReplicasAsync(IGrainFactory grains, RaftGroupLayout layout, string group, string[] replicas)
    {
        var members = await grains.GetGrain<IRaftGroupDirectoryGrain>(group).GetMembers();
        if (members.Length == 0) members = layout.MembersOf(group);
        members = [.. members.Select(ReplicaKey.NameOf)];
        var unknown = replicas.Where(r => !members.Contains(r)).ToArray();
        if (unknown.Length == 0) return null;
        return Problem(StatusCodes.Status404NotFound, "Unknown replica",
            $"unknown replica{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} in group '{group}' (members: {string.Join(", ", members)})");
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

    /// <summary>
    /// Grain-call failures as problems: bad arguments 400, wrong state 409, an unreachable cluster 503. The detail is
    /// one sentence for people; the exception itself goes to the log.
    /// </summary>
    private static async Task<IResult> Guard(HttpContext context, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ArgumentException ex)
        {
            LogRefused(Logger(context), ex, context.Request.Method, context.Request.Path);
            return Problem(StatusCodes.Status400BadRequest, "Bad request", Sentence(ex.Message, "the request was not valid"));
        }
        catch (InvalidOperationException ex)
        {
            LogRefused(Logger(context), ex, context.Request.Method, context.Request.Path);
            return Problem(StatusCodes.Status409Conflict, "Conflict", Sentence(ex.Message, "the request conflicts with the replica's state"));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            LogUnavailable(Logger(context), ex, context.Request.Method, context.Request.Path);
            context.Response.Headers.RetryAfter = "1";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Unavailable",
                "the cluster did not answer: a silo may be down or unreachable; try again shortly");
        }
    }

    /// <summary>
    /// The first line of an exception's message when it reads as a sentence; <paramref name="fallback"/> when it names
    /// a type, carries a stack frame or wraps another exception.
    /// </summary>
    internal static string Sentence(string? message, string fallback)
    {
        var line = (message ?? "").Split('\n', 2)[0].Trim();
        return line.Length == 0 || line.Contains("--->", StringComparison.Ordinal) || line.Contains("   at ", StringComparison.Ordinal) || TypeName().IsMatch(line)
            ? fallback
            : line;
    }

    [GeneratedRegex(@"\w+Exception\b|\b(System|Orleans|Microsoft)\.\w+")]
    private static partial Regex TypeName();

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RaftApi).FullName!);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "HTTP {Method} {Path} refused")]
    private static partial void LogRefused(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "HTTP {Method} {Path}: the cluster did not answer")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, string path);

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
