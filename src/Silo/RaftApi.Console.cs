using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>What the console needs beyond the replicas: the event timeline, the nodes, and operator actions recorded.</summary>
public static partial class RaftApi
{
    /// <summary>
    /// GET /api/events?after=N&amp;limit=M: this silo's timeline events after id N (default 0: all it holds), oldest first,
    /// at most M (default and most <see cref="ConsoleTimeline.PageLimit"/>).
    /// </summary>
    private static IResult Events(HttpContext context, ConsoleTimeline timeline)
    {
        var (after, badAfter) = WholeQueryNumber(context, "after", 0, long.MaxValue);
        if (badAfter is not null) return badAfter;
        var (limit, badLimit) = WholeQueryNumber(context, "limit", ConsoleTimeline.PageLimit, ConsoleTimeline.PageLimit);
        if (badLimit is not null) return badLimit;
        var page = timeline.After(after, (int)Math.Max(1, limit));
        return Results.Json(new
        {
            epoch = page.Epoch,
            last = page.Last,
            missed = page.Missed,
            more = page.More,
            capacity = timeline.Capacity,
            events = page.Events,
        });
    }

    /// <summary>An optional query number in [0, max] (1 or more for a limit); a 400 that says so otherwise.</summary>
    private static (long Value, IResult? Error) WholeQueryNumber(HttpContext context, string name, long fallback, long max)
    {
        if (!context.Request.Query.TryGetValue(name, out var text)) return (fallback, null);
        var least = name == "limit" ? 1 : 0;
        return long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= least && value <= max
            ? (value, null)
            : (0, Problem(StatusCodes.Status400BadRequest, "Bad request", $"'{name}' must be a whole number from {least} to {max}, not '{text}'"));
    }

    /// <summary>Records the endpoint's call in the timeline as an operator action, with its outcome.</summary>
    private static RouteHandlerBuilder RecordedAs(this RouteHandlerBuilder endpoint, Func<HttpContext, string> action) =>
        endpoint.AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            var context = invocation.HttpContext;
            var (failed, outcome) = Outcome(result);
            var group = context.Request.Query.TryGetValue("group", out var named) ? named.ToString()
                : context.RequestServices.GetRequiredService<RaftGroupLayout>().Store;
            var what = action(context);
            context.RequestServices.GetRequiredService<ConsoleTimeline>().Add("operator", group, $"{what}: {outcome}", failed);
            Logger(context).OperatorAction(what, group, outcome);
            return result;
        });

    /// <summary>A problem's title and detail, or the action's own result sentence, or "done".</summary>
    private static (bool Failed, string Outcome) Outcome(object? result) => result switch
    {
        ProblemHttpResult p => (true, $"refused ({p.StatusCode} {p.ProblemDetails.Title}): {p.ProblemDetails.Detail}"),
        IStatusCodeHttpResult { StatusCode: >= 400 } s => (true, $"refused ({s.StatusCode})"),
        IValueHttpResult { Value: { } value } when JsonSerializer.SerializeToElement(value).TryGetProperty("result", out var r)
            && r.ValueKind == JsonValueKind.String => (false, r.GetString()!),
        _ => (false, "done"),
    };

    private static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    /// <summary>
    /// Every node the cluster membership or a replica names: its silo's address and state ("up" for an active silo,
    /// else the silo's status, or "unknown" for a node no silo has joined as), its replicas and the groups it leads.
    /// </summary>
    private static object[] NodesJson(IServiceProvider services, RaftGroupLayout layout, ReplicaStatus[] all, GroupSummary[] groups)
    {
        var silos = (services.GetService<IClusterMembershipService>()?.CurrentSnapshot.Members.Values ?? [])
            .Where(m => !string.IsNullOrEmpty(m.Name))
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(m => m.SiloAddress.Generation)!, StringComparer.Ordinal);
        var names = silos.Keys.Concat(layout.Nodes).Concat(all.Select(s => s.Node).OfType<string>())
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return [.. names.Select(name =>
        {
            var silo = silos.GetValueOrDefault(name);
            var mine = all.Where(s => s.Node == name).ToArray();
            return (object)new
            {
                name,
                address = silo?.SiloAddress.Endpoint.ToString(),
                state = silo is null ? "unknown" : silo.Status == SiloStatus.Active ? "up" : silo.Status.ToString().ToLowerInvariant(),
                replicas = mine.Length,
                liveReplicas = mine.Count(s => s.IsLive),
                leads = groups.Count(g => g.LeaderNode == name),
            };
        })];
    }

    /// <summary>One peer of a leader in /api/status: its progress state in lower case, and its lag in entries.</summary>
    private sealed record PeerJson(string Replica, string State, long MatchIndex, long NextIndex, long Lag, bool Learner, bool Active)
    {
        public static PeerJson From(PeerProgress p) =>
            new(p.Replica, p.State.ToString().ToLowerInvariant(), p.MatchIndex, p.NextIndex, p.Lag, p.IsLearner, p.RecentActive);
    }
}
