using System.Runtime.CompilerServices;

namespace Orleans.Raft;

/// <summary>A watch that outlives the gateway serving it.</summary>
public static class GatewayWatchExtensions
{
    /// <summary>
    /// As <see cref="IKeyValueGatewayGrain.Watch"/>, and when the stream fails (the gateway's silo died, or Orleans
    /// dropped the enumeration) it watches again from the revision of the last change it gave, skipping those of it already given, so every change
    /// still comes once and in order. Ends after a Compacted item, or when cancelled.
    /// </summary>
    public static async IAsyncEnumerable<KvWatchEvent> WatchResumingAsync(this IKeyValueGatewayGrain gateway, string key, string? rangeEnd, long fromRevision,
        bool prevKv = false, TimeSpan? retryDelay = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = fromRevision;
        if (next <= 0)
        {
            // Fixed once, so that a resumed watch starts where the first one did.
            var now = await gateway.Execute(KvRequest.Range(key, rangeEnd, limit: 1, keysOnly: true)).WaitAsync(cancellationToken);
            if (now.Status != KvStatus.Ok) throw new InvalidOperationException($"could not read the revision to watch from: {now.Error ?? now.Status.ToString()}");
            next = now.Revision + 1;
        }
        var given = new HashSet<(string, KvWatchEventType)>();
        while (true)
        {
            var stream = gateway.Watch(key, rangeEnd, next, prevKv, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    KvWatchEvent item;
                    try
                    {
                        if (!await stream.MoveNextAsync()) yield break;
                        item = stream.Current;
                    }
                    catch (Exception ex) when (ex is not ArgumentException && !cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                    if (item.Type != KvWatchEventType.Compacted)
                    {
                        // A transaction's changes share a revision: resume at it, and skip the ones already given.
                        if (item.Revision != next) given.Clear();
                        if (!given.Add((item.Entry?.Key ?? "", item.Type))) continue;
                        next = item.Revision;
                    }
                    yield return item;
                    if (item.Type == KvWatchEventType.Compacted) yield break;
                }
            }
            finally
            {
                try
                {
                    await stream.DisposeAsync();
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Its silo is gone: there is nothing to dispose of.
                }
            }
            await Task.Delay(retryDelay ?? TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
