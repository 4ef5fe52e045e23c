using System.Globalization;
using System.Runtime.CompilerServices;

namespace Orleans.Raft.Client;

/// <summary>The store through its gateway grain. Thread-safe; cheap to create.</summary>
public sealed class RaftKeyValueStore(IGrainFactory grains, string store = RaftKeyValueStore.DefaultStore, TimeProvider? timeProvider = null) : IRaftKeyValueStore
{
    /// <summary>The store the silos serve when Raft:Group is not set.</summary>
    public const string DefaultStore = "default";

    /// <summary>The lease a lock or a campaign holds when no TTL is given (etcd's concurrency sessions use 60 s).</summary>
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public string Store { get; } = string.IsNullOrEmpty(store) ? throw new ArgumentException("a store name is required", nameof(store)) : store;

    private IKeyValueGatewayGrain Gateway => grains.GetGrain<IKeyValueGatewayGrain>(Store);

    private async Task<KvResponse> SendAsync(KvRequest request, CancellationToken cancellationToken, params KvStatus[] allowed)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = await Gateway.Execute(request).WaitAsync(cancellationToken);
        return response.OrThrow(allowed);
    }

    /// <inheritdoc />
    public async Task<KvEntry?> GetAsync(string key, ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(KvRequest.Get(key, consistency), cancellationToken, KvStatus.NotFound);
        return response.Status == KvStatus.NotFound ? null : response.Entry ?? new KvEntry(key, response.Value, 0, 0, 0, 0);
    }

    /// <inheritdoc />
    public async Task<KvRange> RangeAsync(string key, string? rangeEnd, long limit = 0, bool keysOnly = false,
        ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(KvRequest.Range(key, rangeEnd, limit, keysOnly, consistency), cancellationToken);
        return new KvRange(response.Entries ?? [], response.Count, response.More, response.Revision);
    }

    /// <inheritdoc />
    public Task<KvRange> GetPrefixAsync(string prefix, long limit = 0, bool keysOnly = false,
        ReadConsistency consistency = ReadConsistency.Linearizable, CancellationToken cancellationToken = default) =>
        RangeAsync(prefix, KeyRange.PrefixEnd(prefix), limit, keysOnly, consistency, cancellationToken);

    /// <inheritdoc />
    public async Task<KvEntry> PutAsync(string key, string value, long lease = 0, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(KvRequest.Set(key, value) with { Lease = lease }, cancellationToken);
        return response.Entry ?? new KvEntry(key, value, 0, response.Revision, 0, lease);
    }

    /// <inheritdoc />
    public async Task<KvEntry> AppendAsync(string key, string suffix, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(KvRequest.Append(key, suffix), cancellationToken);
        return response.Entry ?? new KvEntry(key, null, 0, response.Revision, 0, 0);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await SendAsync(KvRequest.Delete(key), cancellationToken, KvStatus.NotFound)).Status == KvStatus.Ok;

    /// <inheritdoc />
    public async Task<KvCompareResult> CompareAndSetAsync(string key, string? expected, string value, long lease = 0, CancellationToken cancellationToken = default) =>
        CompareResult(key, await SendAsync(KvRequest.CompareAndSet(key, expected, value) with { Lease = lease }, cancellationToken, KvStatus.CompareFailed));

    /// <inheritdoc />
    public async Task<KvCompareResult> CompareAndSetRevisionAsync(string key, long expectedModRevision, string value, long lease = 0, CancellationToken cancellationToken = default) =>
        CompareResult(key, await SendAsync(KvRequest.CompareAndSet(key, null, value) with { ExpectedModRevision = expectedModRevision, Lease = lease },
            cancellationToken, KvStatus.CompareFailed));

    private static KvCompareResult CompareResult(string key, KvResponse response) => response.Status == KvStatus.Ok
        ? new KvCompareResult(true, response.Entry ?? new KvEntry(key, response.Value, 0, response.Revision, 0, 0), response.Revision)
        : new KvCompareResult(false, response.Entry ?? (response.Value is null ? null : new KvEntry(key, response.Value, 0, 0, 0, 0)), response.Revision);

    /// <inheritdoc />
    public async Task<KvTxnResult> TxnAsync(KvTxn txn, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(KvRequest.Transaction(txn), cancellationToken);
        return response.Txn ?? throw new RaftKeyValueException(response.Status, "the store answered a transaction without its result", response.ServedBy);
    }

    /// <inheritdoc />
    public async Task<long> GrantLeaseAsync(TimeSpan ttl, string? groupKey = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(KvRequest.LeaseGrant(ttl) with { Key = groupKey ?? "" }, cancellationToken)).Lease;

    /// <inheritdoc />
    public async Task<KvLease> KeepAliveAsync(long lease, CancellationToken cancellationToken = default) =>
        (await LeaseAsync(KvOperation.LeaseKeepAlive, lease, cancellationToken)).Leases!.Single();

    /// <inheritdoc />
    public async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default) =>
        await LeaseAsync(KvOperation.LeaseRevoke, lease, cancellationToken);

    /// <inheritdoc />
    public async Task<KvLease> GetLeaseAsync(long lease, CancellationToken cancellationToken = default) =>
        (await LeaseAsync(KvOperation.LeaseTimeToLive, lease, cancellationToken)).Leases!.Single();

    /// <inheritdoc />
    public async Task<IReadOnlyList<KvLease>> ListLeasesAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(KvRequest.LeaseOperation(KvOperation.LeaseList, 0), cancellationToken)).Leases ?? [];

    private async Task<KvResponse> LeaseAsync(KvOperation operation, long lease, CancellationToken cancellationToken)
    {
        var response = await Gateway.Execute(KvRequest.LeaseOperation(operation, lease)).WaitAsync(cancellationToken);
        // The answer names no lease when it is not found: the caller's id is the one.
        return (response.Status == KvStatus.LeaseNotFound ? response with { Lease = lease } : response).OrThrow();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KvWatchEvent> WatchAsync(string key, string? rangeEnd = null, long fromRevision = 0, bool prevKv = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in Gateway.WatchResumingAsync(key, rangeEnd, fromRevision, prevKv, cancellationToken: cancellationToken))
        {
            if (change.Type == KvWatchEventType.Compacted) throw new RaftCompactedException(change.CompactRevision);
            yield return change;
        }
    }

    /// <inheritdoc />
    public async Task<RaftLock> LockAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var (key, revision, keeper) = await WaitInLineAsync(LockPrefix(name), "", ttl ?? DefaultLeaseTtl, cancellationToken);
        return new RaftLock(this, name, key, revision, keeper);
    }

    /// <inheritdoc />
    public async Task<RaftLeadership> CampaignAsync(string election, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var (key, revision, keeper) = await WaitInLineAsync(ElectionPrefix(election), value, ttl ?? DefaultLeaseTtl, cancellationToken);
        return new RaftLeadership(this, election, key, revision, value, keeper);
    }

    /// <inheritdoc />
    public async Task<KvEntry?> GetLeaderAsync(string election, CancellationToken cancellationToken = default)
    {
        var line = await GetPrefixAsync(ElectionPrefix(election), cancellationToken: cancellationToken);
        return line.Entries.Where(e => e.Lease != 0).MinBy(e => e.CreateRevision);
    }

    // A hash tag keeps every key of one lock or election in one group, so its line is read and watched in one place.
    internal static string LockPrefix(string name) => $"{{lock:{Named(name)}}}/";

    internal static string ElectionPrefix(string election) => $"{{election:{Named(election)}}}/";

    private static string Named(string name) =>
        string.IsNullOrEmpty(name) || name.Contains('}') ? throw new ArgumentException($"a lock or election name is not empty and has no '}}', not '{name}'", nameof(name)) : name;

    /// <summary>
    /// etcd's concurrency recipe: under a lease, put a key of its own under the prefix (once), then wait until it is the
    /// oldest key there, watching only the next older one's deletion, so a release wakes one waiter, not all.
    /// </summary>
    private async Task<(string Key, long Revision, LeaseKeeper Keeper)> WaitInLineAsync(string prefix, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var lease = await GrantLeaseAsync(ttl, prefix, cancellationToken);
        var keeper = new LeaseKeeper(this, lease, ttl, _time);
        try
        {
            var key = prefix + lease.ToString("x16", CultureInfo.InvariantCulture);
            var line = KvTxnOp.Get(prefix, KeyRange.PrefixEnd(prefix), keysOnly: true);
            var entered = await TxnAsync(new KvTxn([KvCompare.Missing(key)], [KvTxnOp.Put(key, value, lease), line], [KvTxnOp.Get(key), line]), cancellationToken);
            var mine = entered.Succeeded ? entered.Revision : entered.Results[0].Entries.Single().CreateRevision;
            IReadOnlyList<KvEntry> waiting = entered.Results[1].Entries;
            var readAt = entered.Revision;
            while (true)
            {
                using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
                if (!waiting.Any(e => e.Key == key)) throw new RaftLeaseNotFoundException(lease, $"the lease of {key} expired while it waited");
                // Only keys under a lease are in line: a key put under the prefix by hand would otherwise block it for good.
                var before = waiting.Where(e => e.Lease != 0 && e.CreateRevision < mine).MaxBy(e => e.CreateRevision);
                if (before is null) return (key, mine, keeper);
                // Wait for the one just ahead to go; the watch starts after the read, so no deletion is missed.
                await foreach (var change in WatchAsync(before.Key, null, readAt + 1, cancellationToken: lost.Token))
                {
                    if (change.Type == KvWatchEventType.Delete) break;
                }
                var now = await GetPrefixAsync(prefix, keysOnly: true, cancellationToken: lost.Token);
                (waiting, readAt) = (now.Entries, now.Revision);
            }
        }
        catch
        {
            await keeper.DisposeAsync();
            try
            {
                await RevokeLeaseAsync(lease, CancellationToken.None);
            }
            catch (RaftKeyValueException)
            {
                // It expires on its own.
            }
            throw;
        }
    }
}
