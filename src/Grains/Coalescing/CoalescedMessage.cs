namespace Orleans.Raft.Coalescing;

/// <summary>One Raft message in a batch to a node: the replica grain it is for ("group/name@node") and the message.</summary>
[GenerateSerializer, Immutable]
public sealed record CoalescedMessage([property: Id(0)] string Target, [property: Id(1)] RaftEnvelope Envelope);
