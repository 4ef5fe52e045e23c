using Orleans.Concurrency;

namespace Orleans.Raft;

/// <summary>
/// An unreplicated key-value store in one grain: the benchmark's baseline, reached through the same client path as
/// the gateway. Not fault tolerant; never use it to store data.
/// </summary>
public interface IUnreplicatedKeyValueGrain : IGrainWithStringKey
{
    Task<KvResponse> Execute(KvRequest request);
}
