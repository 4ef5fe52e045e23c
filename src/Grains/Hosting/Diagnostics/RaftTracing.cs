using System.Diagnostics;
using Orleans.Runtime;

namespace Orleans.Raft.Hosting;

/// <summary>
/// The "Orleans.Raft" activity source: a span per client request at the gateway ("raft.request"), and at the leader
/// one per proposal ("raft.propose", with events when its entry commits and applies) or read ("raft.read"). The trace
/// goes from the gateway to the leader in the grain call's request context, so tracing needs no listener on Orleans'
/// own grain-call sources, which would make an activity for every Raft message.
/// </summary>
public static class RaftTracing
{
    public const string SourceName = "Orleans.Raft";

    /// <summary>The prefix of every span this source starts; a sampler can tell Raft's own roots from others by it.</summary>
    public const string SpanPrefix = "raft.";

    public const string GroupTag = "raft.group";
    public const string ReplicaTag = "raft.replica";
    public const string OperationTag = "raft.operation";
    public const string IndexTag = "raft.index";
    public const string TermTag = "raft.term";
    public const string StatusTag = "raft.status";
    public const string ReadPathTag = "raft.read_path";

    /// <summary>The request-context key of a sampled request's span (W3C traceparent), for the leader's span to join.</summary>
    internal const string TraceParentKey = "raft.traceparent";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>A client request arriving at a group's gateway; null when nobody listens or it is not sampled.</summary>
    internal static Activity? StartRequest(string group, KvRequest request, string? via = null)
    {
        if (!Source.HasListeners()) return null;
        // A caller's span that is not recorded (Orleans' own grain-call span, when its sources are traced and this call
        // was not sampled) must not make the request unsampled too: the request starts its own trace then.
        if (Activity.Current is { Recorded: false }) Activity.Current = null;
        var activity = Source.StartActivity("raft.request", ActivityKind.Server);
        if (activity is null) return null;
        if (activity is { Recorded: true, Id: { } id }) RequestContext.Set(TraceParentKey, id);
        activity.SetTag(GroupTag, group);
        activity.SetTag(OperationTag, request.Operation.ToString());
        if (via is not null) activity.SetTag("raft.via", via);
        return activity;
    }

    /// <summary>Starts the leader's span of one proposal or read.</summary>
    internal static Activity? StartAtLeader(string name, string group, string replica, long term)
    {
        // Tracing off (the default): not even the request context is read.
        if (!Source.HasListeners()) return null;
        var parent = Activity.Current is { Recorded: true } current ? current.Context
            : RequestContext.Get(TraceParentKey) is string id && ActivityContext.TryParse(id, null, isRemote: true, out var remote) ? remote
            : default;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        if (activity is null) return null;
        activity.SetTag(GroupTag, group);
        activity.SetTag(ReplicaTag, replica);
        activity.SetTag(TermTag, term);
        return activity;
    }

    /// <summary>Records the answer: its status, the replica that served it and the log index, and marks failures.</summary>
    internal static void SetOutcome(Activity? activity, KvResponse response)
    {
        if (activity is null) return;
        activity.SetTag(StatusTag, response.Status.ToString());
        if (response.ServedBy is { } servedBy) activity.SetTag(ReplicaTag, servedBy);
        if (response.Index > 0) activity.SetTag(IndexTag, response.Index);
        // A key not found or a failed compare is an answer, not a failure of the request.
        if (response.Status is not (KvStatus.Ok or KvStatus.NotFound or KvStatus.CompareFailed))
            activity.SetStatus(ActivityStatusCode.Error, response.Error ?? response.Status.ToString());
    }
}
