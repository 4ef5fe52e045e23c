using Orleans.Concurrency;

namespace Orleans.Raft.Coalescing;

/// <summary>A node's inbox for coalesced Raft messages, keyed by the node's name and placed on that node's silo.</summary>
public interface IRaftNodeInboxGrain : IGrainWithStringKey
{
    /// <summary>Hands each message to its replica on this node, in order.</summary>
    [OneWay]
    Task Deliver(CoalescedMessage[] messages);
}
