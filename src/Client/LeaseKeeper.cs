namespace Orleans.Raft.Client;

/// <summary>
/// Keeps a lease alive in the background, renewing it three times a TTL. Lost fires once the lease is gone (the
/// leader revoked it) or when no renewal succeeded for a whole TTL, after which it may have expired.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _loop;

    public LeaseKeeper(IRaftKeyValueStore store, long lease, TimeSpan ttl, TimeProvider time)
    {
        Lease = lease;
        _loop = RunAsync(store, ttl, time);
    }

    public long Lease { get; }

    public CancellationToken Lost => _lost.Token;

    private async Task RunAsync(IRaftKeyValueStore store, TimeSpan ttl, TimeProvider time)
    {
        var renewedAt = time.GetTimestamp();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(ttl / 3, time, _stop.Token);
                try
                {
                    await store.KeepAliveAsync(Lease, _stop.Token);
                    renewedAt = time.GetTimestamp();
                }
                catch (RaftLeaseNotFoundException)
                {
                    break;
                }
                catch (RaftKeyValueException) when (time.GetElapsedTime(renewedAt) < ttl)
                {
                    // No leader for now: try again; the lease holds until a whole TTL passes unrenewed.
                }
                catch (RaftKeyValueException)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        await _lost.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
