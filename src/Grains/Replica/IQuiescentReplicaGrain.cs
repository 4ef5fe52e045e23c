using Orleans.Concurrency;

namespace Orleans.Raft.Replica;

/// <summary>The silo's side door into a replica grain ("group/member"): wake it from quiescence.</summary>
public interface IQuiescentReplicaGrain : IGrainWithStringKey
{
    /// <summary>Ends the replica's quiescence, if it is quiesced: it ticks again. Reason is for the log.</summary>
    [OneWay]
    Task Wake(string reason);
}
