using Orleans.Raft.Hosting;
using Orleans.Raft.Replica;

namespace Orleans.Raft.Faults;

/// <summary>
/// Breaks the network between a group's replicas on purpose, in the grain-call path, so the Raft code runs unchanged.
/// A dropped one-way message vanishes; a dropped request fails at once, as a refused connection would.
/// </summary>
/// <remarks>
/// A filter that returns without invoking the grain, or throws for a one-way call, makes Orleans log a warning with a
/// stack trace per message; so a dropped message is delivered addressed to nobody, and the replica discards it.
/// </remarks>
public sealed class FaultInjectionFilter(FaultInjectionState state) : IIncomingGrainCallFilter
{
    private static readonly HashSet<string> AdminMethods =
    [
        nameof(IRaftReplicaGrain.Start), nameof(IRaftReplicaGrain.Stop), nameof(IRaftReplicaGrain.GetStatus),
        nameof(IRaftReplicaGrain.Deactivate), nameof(IRaftReplicaGrain.Retire), nameof(IRaftReplicaGrain.GetLogPositions),
        // The keep-alive reminder is local bookkeeping, not a message between replicas; a stopped replica ignores it.
        nameof(IRemindable.ReceiveReminder),
        // A silo's own wake-up of a quiesced replica (a node died, faults changed): not a message between replicas.
        nameof(IQuiescentReplicaGrain.Wake),
    ];

    // One-way calls between replicas besides Deliver; each names its addressee first, and ignores a call to nobody.
    private static readonly HashSet<string> OneWayNotices = [nameof(IRaftReplicaGrain.NotifyRemoved), nameof(IRaftReplicaGrain.CheckRemoved)];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // No fault anywhere, the usual case: no parsing, and no async frame around every call.
        if (state.Current.Groups.Count == 0) return context.Invoke();
        // A grain's own timer ticks arrive as calls from itself: local, not over any network a fault could cut.
        if (context.Grain is not RaftReplicaGrain || AdminMethods.Contains(context.MethodName) || context.SourceId == context.TargetId)
            return context.Invoke();

        var (group, member) = ReplicaKey.Parse(context.TargetId.Key.ToString()!);
        var faults = state.For(group);
        // Faults name replicas by name, whatever node they are on.
        return faults.IsEmpty ? context.Invoke() : InvokeUnderFaultsAsync(context, group, ReplicaKey.NameOf(member), faults);
    }

    private async Task InvokeUnderFaultsAsync(IIncomingGrainCallContext context, string group, string target, GroupFaults faults)
    {
        var isMessage = context.MethodName == nameof(IRaftReplicaGrain.Deliver);
        var source = isMessage
            ? (context.Request.GetArgument(0) as RaftEnvelope)?.From
            : SourceReplica(context.SourceId, context.TargetId.Type, group);
        if (Blocked(faults, source, target, out var reason))
        {
            await DropAsync(context, isMessage, reason);
            return;
        }

        if (source is not null && faults.MaxDelay > TimeSpan.Zero)
        {
            var spread = (faults.MaxDelay - faults.MinDelay).TotalMilliseconds;
            await Task.Delay(faults.MinDelay + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * spread));
            // The network may have been cut while the message was on its way.
            if (Blocked(state.For(group), source, target, out reason, lossAlreadyRolled: true))
            {
                await DropAsync(context, isMessage, reason);
                return;
            }
        }

        await context.Invoke();
    }

    private static Task DropAsync(IIncomingGrainCallContext context, bool isMessage, string reason)
    {
        // Lost on the way: the sender never learns.
        if (isMessage)
        {
            var envelope = (RaftEnvelope)context.Request.GetArgument(0)!;
            context.Request.SetArgument(0, envelope with { To = "" });
        }
        else if (OneWayNotices.Contains(context.MethodName))
        {
            context.Request.SetArgument(0, "");
        }
        else
        {
            throw new InvalidOperationException(reason);
        }
        return context.Invoke();
    }

    private static bool Blocked(GroupFaults faults, string? source, string target, out string reason, bool lossAlreadyRolled = false)
    {
        if (faults.Stopped.Contains(target))
        {
            reason = $"replica {target} is stopped";
            return true;
        }
        if (source is not null && source != target)
        {
            if (faults.Separates(source, target))
            {
                reason = $"network partition: {source} cannot reach {target}";
                return true;
            }
            if (!lossAlreadyRolled && faults.DropRate > 0 && Random.Shared.NextDouble() < faults.DropRate)
            {
                reason = $"message from {source} to {target} lost";
                return true;
            }
        }
        reason = "";
        return false;
    }

    private static string? SourceReplica(GrainId? sourceId, GrainType replicaType, string group)
    {
        if (sourceId is not { } id || id.Type != replicaType) return null;
        var (sourceGroup, replica) = ReplicaKey.Parse(id.Key.ToString()!);
        return sourceGroup == group ? ReplicaKey.NameOf(replica) : null;
    }
}
