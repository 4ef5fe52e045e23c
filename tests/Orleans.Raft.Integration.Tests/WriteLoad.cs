using System.Collections.Concurrent;

namespace Orleans.Raft.Integration.Tests;

/// <summary>
/// Writers that each set their own keys in sequence through a gateway until stopped, recording every acknowledged
/// write and every failed one, so a test can check that none was lost and none failed.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _writers;

    private WriteLoad(IKeyValueGatewayGrain gateway, int writers)
    {
        _writers = [.. Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(gateway, w)))];
    }

    public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Failures { get; } = new();

    public static WriteLoad Start(IKeyValueGatewayGrain gateway, int writers = 1) => new(gateway, writers);

    /// <summary>Waits until at least count more writes have been acknowledged, so a step surely ran under load.</summary>
    public Task WaitForMoreAsync(int count)
    {
        var target = Acknowledged.Count + count;
        return RaftGroup.WaitForAsync(() => Task.FromResult(Acknowledged.Count >= target ? "" : null), $"{count} more acknowledged writes");
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>
    /// Every acknowledged write reads back with its value through the gateway. A read with no answer (a timeout, no
    /// leader, overloaded) says nothing of the write and is asked again; any answer but the value fails at once.
    /// </summary>
    public async Task AssertNoneLostAsync(IKeyValueGatewayGrain gateway)
    {
        Assert.NotEmpty(Acknowledged);
        foreach (var (key, value) in Acknowledged)
        {
            var read = await RaftGroup.WaitForAsync(async () =>
            {
                var r = await gateway.Get(key);
                return r.Status is KvStatus.Timeout or KvStatus.Unavailable or KvStatus.NotLeader or KvStatus.Overloaded ? null : r;
            }, $"an answer to a read of {key}");
            Assert.True(read.Status == KvStatus.Ok && read.Value == value, $"acknowledged {key}={value}, read {read.Status} {read.Value} {read.Error}");
        }
    }

    private async Task WriteAsync(IKeyValueGatewayGrain gateway, int writer)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var key = $"w{writer}-{i}";
            KvResponse response;
            try
            {
                response = await gateway.Set(key, $"{i}");
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                // A call to a gateway on a silo that was killed gets no answer: not acknowledged, so not counted.
                Failures.Enqueue($"{key}: {ex.GetType().Name} {ex.Message}");
                continue;
            }
            if (response.Status == KvStatus.Ok) Acknowledged[key] = $"{i}";
            else Failures.Enqueue($"{key}: {response.Status} {response.Error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
