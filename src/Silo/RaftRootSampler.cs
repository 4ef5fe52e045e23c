using OpenTelemetry.Trace;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Silo;

/// <summary>
/// Decides which traces start, for a parent-based sampler: a client request's span ("raft.*") starts one, at the
/// configured ratio; any other root (Orleans' own grain calls, replicas' heartbeats and appends) is dropped, so traces
/// follow requests and not the background traffic. Spans with a parent follow the parent's decision.
/// </summary>
public sealed class RaftRootSampler(double ratio) : Sampler
{
    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Name.StartsWith(RaftTracing.SpanPrefix, StringComparison.Ordinal)
            ? _ratio.ShouldSample(samplingParameters)
            : new SamplingResult(SamplingDecision.Drop);

    /// <summary>The sampler the silo uses: the parent's decision where there is one, this one's for roots.</summary>
    public static Sampler ParentBased(double ratio) => new ParentBasedSampler(new RaftRootSampler(ratio));
}
