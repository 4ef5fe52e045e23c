using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Raft.Hosting;
using Orleans.Raft.Placement;
using Orleans.Raft.Replica;

namespace Orleans.Raft.Coalescing;

/// <summary>
/// Receives the batches of heartbeats and quiesce notices that other silos' <see cref="HeartbeatOutbox"/> send to this
/// node, and delivers each message to its replica with a local call of its own. So each message still passes the silo's
/// incoming call filters one by one, fault injection included, exactly as a message sent directly would.
/// </summary>
[Reentrant]
[RaftNodePlacement]
[Immovable(ImmovableKind.Any)]
[Orleans.GrainDirectory.GrainDirectory(RaftSiloBuilderExtensions.ReplicaDirectory)]
public sealed class RaftNodeInboxGrain(IOptions<RaftNodeOptions> nodeOptions) : Grain, IRaftNodeInboxGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var node = this.GetPrimaryKeyString();
        // Placement never puts it elsewhere; this guards against a director that would.
        if (node != nodeOptions.Value.Name)
            throw new InvalidOperationException($"the inbox of node {node} runs only on that node, not on node '{nodeOptions.Value.Name}'");
        return Task.CompletedTask;
    }

    private ReplicaReferences? _replicas;

    public Task Deliver(CoalescedMessage[] messages)
    {
        _replicas ??= new ReplicaReferences(GrainFactory, group: null);
        foreach (var m in messages) _replicas.Get(m.Target).Deliver(m.Envelope).Ignore();
        return Task.CompletedTask;
    }
}
