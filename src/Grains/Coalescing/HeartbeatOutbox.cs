using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Coalescing;

/// <summary>
/// This silo's coalesced heartbeats (CockroachDB's): the heartbeats, quiesce notices and replies that bring no news that
/// its replicas send to one node are collected for a tick and sent as one call to that node's
/// <see cref="IRaftNodeInboxGrain"/>. A thousand groups led from here cost one call per follower node per tick.
/// </summary>
public sealed class HeartbeatOutbox : IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly RaftMetrics _metrics;
    private readonly ILogger<HeartbeatOutbox> _logger;
    private readonly TimeSpan _period;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private Dictionary<string, List<CoalescedMessage>> _queued = new(StringComparer.Ordinal);
    private bool _flushScheduled;

    public HeartbeatOutbox(IGrainFactory grains, IOptions<RaftOptions> options, RaftMetrics metrics, TimeProvider time, ILogger<HeartbeatOutbox> logger)
    {
        _grains = grains;
        _metrics = metrics;
        _logger = logger;
        _period = options.Value.TickInterval;
        // Armed by the first message of a tick, so an idle silo has no timer running.
        _timer = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queues a message for the replica target ("group/name@node") on node; it leaves within a tick.</summary>
    public void Enqueue(string node, string target, RaftEnvelope envelope)
    {
        lock (_lock)
        {
            if (!_queued.TryGetValue(node, out var list)) _queued[node] = list = [];
            list.Add(new CoalescedMessage(target, envelope));
            if (_flushScheduled) return;
            _flushScheduled = true;
        }
        _timer.Change(_period, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends what is queued, one call per node.</summary>
    public void Flush()
    {
        Dictionary<string, List<CoalescedMessage>> batches;
        lock (_lock)
        {
            batches = _queued;
            _queued = new(StringComparer.Ordinal);
            _flushScheduled = false;
        }
        foreach (var (node, messages) in batches)
        {
            try
            {
                _grains.GetGrain<IRaftNodeInboxGrain>(node).Deliver([.. messages]).Ignore();
                _metrics.MessageBatches.Add(1);
            }
            catch (Exception ex)
            {
                // The network may lose any message; Raft retries.
                _logger.CoalescedSendFailed(ex, node, messages.Count);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
