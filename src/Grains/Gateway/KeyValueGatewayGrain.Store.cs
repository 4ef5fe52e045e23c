using System.Runtime.CompilerServices;
using Orleans.Raft.Hosting;
using Orleans.Raft.Replica;

namespace Orleans.Raft.Gateway;

// etcd's API at the gateway: watches that resume on another replica when theirs fails, and, for a store of several
// groups, ranges over every group, transactions kept to one group, and leases that say which group they live in.
public sealed partial class KeyValueGatewayGrain
{
    /// <summary>
    /// A lease lives in one group. In a store of several groups its id says which: the group's own id times the number
    /// of groups, plus the group's index; in a store of one group it is the group's own id.
    /// </summary>
    private long StoreLeaseId(int groupIndex, long local) => local * layout.Shards.Count + groupIndex;

    private (int GroupIndex, long Local) GroupLease(long id) => ((int)(id % layout.Shards.Count), id / layout.Shards.Count);

    private async Task<KvResponse> RouteStoreRequestAsync(KvRequest request)
    {
        var shards = layout.Shards;
        switch (request.Operation)
        {
            case KvOperation.Range when request.RangeEnd is null || SingleGroupOfRange(request.Key, request.RangeEnd) is not null:
                return await GroupGateway(SingleGroupOfRange(request.Key, request.RangeEnd) ?? shards.GroupOf(request.Key)).Execute(request);
            case KvOperation.Range:
                return await RangeOverGroupsAsync(request);
            case KvOperation.Txn:
                var groups = request.Txn!.Keys.Select(shards.GroupOf).Distinct().ToArray();
                if (groups.Length > 1)
                {
                    return KvResponse.Failure(KvStatus.InvalidRequest,
                        $"a transaction runs in one group, and its keys are in groups {string.Join(", ", groups)}: keep its keys together with a hash tag, as '{{user42}}.name' and '{{user42}}.mail'");
                }
                var txnGroup = groups.Length == 1 ? groups[0] : shards.GroupName(0);
                var ops = new List<KvTxnOp[]>();
                foreach (var branch in new[] { request.Txn.Success, request.Txn.Failure })
                {
                    var mapped = new KvTxnOp[branch.Length];
                    for (var i = 0; i < branch.Length; i++)
                    {
                        var op = branch[i];
                        if (op.Lease == 0) mapped[i] = op;
                        else if (LocalLease(op.Lease, txnGroup, op.Key) is (var local, null)) mapped[i] = op with { Lease = local };
                        else return KvResponse.Failure(KvStatus.InvalidRequest, LocalLease(op.Lease, txnGroup, op.Key).Error!);
                    }
                    ops.Add(mapped);
                }
                var txnResponse = await GroupGateway(txnGroup).Execute(request with { Txn = request.Txn with { Success = ops[0], Failure = ops[1] } });
                return WithStoreLeases(txnResponse, shards.IndexOf(txnGroup));
            case KvOperation.LeaseGrant:
                // Granted in the group of its key, if it names one (the keys it will hold), else in the first.
                var grantGroup = request.Key.Length > 0 ? shards.GroupOf(request.Key) : shards.GroupName(0);
                var granted = await GroupGateway(grantGroup).Execute(request with { Key = "" });
                return granted with { Lease = granted.Lease == 0 ? 0 : StoreLeaseId(shards.IndexOf(grantGroup), granted.Lease) };
            case KvOperation.LeaseList:
                var lists = await Task.WhenAll(layout.Groups.Select(g => GroupGateway(g).Execute(request)));
                if (lists.FirstOrDefault(r => r.Status != KvStatus.Ok) is { } failed) return failed;
                return lists[0] with
                {
                    Revision = 0,
                    Leases = [.. lists.SelectMany((r, i) => (r.Leases ?? []).Select(l => l with { Id = StoreLeaseId(i, l.Id) })).OrderBy(l => l.Id)],
                };
            case KvOperation.LeaseRevoke or KvOperation.LeaseKeepAlive or KvOperation.LeaseTimeToLive:
                var (index, id) = GroupLease(request.Lease);
                var answer = await GroupGateway(shards.GroupName(index)).Execute(request with { Lease = id });
                return WithStoreLeases(answer, index);
            default:
                // A set or compare-and-set with a lease: the lease must live in the key's group.
                var keyGroup = shards.GroupOf(request.Key);
                var (localLease, error) = LocalLease(request.Lease, keyGroup, request.Key);
                if (error is not null) return KvResponse.Failure(KvStatus.InvalidRequest, error);
                return WithStoreLeases(await GroupGateway(keyGroup).Execute(request with { Lease = localLease }), shards.IndexOf(keyGroup));
        }
    }

    private (long Local, string? Error) LocalLease(long storeId, string keyGroup, string key)
    {
        var (index, local) = GroupLease(storeId);
        var leaseGroup = layout.Shards.GroupName(index);
        return leaseGroup == keyGroup ? (local, null)
            : (0, $"lease {storeId} lives in group {leaseGroup}, and key '{key}' in group {keyGroup}: grant the lease for a key of that group (lease grant --key), or keep the keys together with a hash tag");
    }

    /// <summary>Leases in an answer from one group, named by their ids in the store.</summary>
    private KvResponse WithStoreLeases(KvResponse response, int groupIndex)
    {
        KvEntry Map(KvEntry e) => e.Lease == 0 ? e : e with { Lease = StoreLeaseId(groupIndex, e.Lease) };
        return response with
        {
            Lease = response.Lease == 0 ? 0 : StoreLeaseId(groupIndex, response.Lease),
            Leases = response.Leases?.Select(l => l with { Id = StoreLeaseId(groupIndex, l.Id) }).ToArray(),
            Entry = response.Entry is null ? null : Map(response.Entry),
            Entries = response.Entries?.Select(Map).ToArray(),
            Txn = response.Txn is null ? null : response.Txn with
            {
                Results = [.. response.Txn.Results.Select(r => r with { Entries = [.. r.Entries.Select(Map)], Previous = [.. r.Previous.Select(Map)] })],
            },
        };
    }

    /// <summary>
    /// The one group a range lies in, if its keys all share a hash tag: the range of a prefix that holds a whole tag,
    /// as "{user42}." does. Null when its keys may be in any group.
    /// </summary>
    private string? SingleGroupOfRange(string key, string? rangeEnd)
    {
        if (rangeEnd is null) return layout.Shards.GroupOf(key);
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        if (close <= open + 1) return null;
        // Every key in [key, PrefixEnd(p)) starts with p, so with p's tag, when p runs at least to the tag's end.
        for (var length = key.Length; length > close; length--)
        {
            if (KeyRange.PrefixEnd(key[..length]) == rangeEnd) return layout.Shards.GroupOf(key);
        }
        return null;
    }

    /// <summary>
    /// A range over every group: each group's part is linearizable on its own, but the parts are read one beside the
    /// other, not at one instant, so together they are no snapshot. Revision is 0: each group counts its own.
    /// </summary>
    private async Task<KvResponse> RangeOverGroupsAsync(KvRequest request)
    {
        var parts = await Task.WhenAll(layout.Groups.Select(g => GroupGateway(g).Execute(request)));
        if (parts.FirstOrDefault(p => p.Status != KvStatus.Ok) is { } failed) return failed;
        var entries = parts.SelectMany((p, i) => (p.Entries ?? []).Select(e => e.Lease == 0 ? e : e with { Lease = StoreLeaseId(i, e.Lease) }))
            .OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var count = parts.Sum(p => p.Count);
        var shown = request.Limit > 0 ? entries.Take((int)Math.Min(request.Limit, int.MaxValue)).ToArray() : [.. entries];
        return new KvResponse { Status = KvStatus.Ok, Entries = shown, Count = count, More = shown.Length < count, Revision = 0, ServedBy = string.Join(",", parts.Select(p => p.ServedBy)) };
    }

    private IKeyValueGatewayGrain GroupGateway(string group) => GrainFactory.GetGrain<IKeyValueGatewayGrain>(group);

    public async IAsyncEnumerable<KvWatchEvent> Watch(string key, string? rangeEnd, long fromRevision, bool prevKv, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (RequestValidator.ValidateRange(key, rangeEnd, _options) is { } error) throw new ArgumentException(error.Message);
        if (IsStore)
        {
            var group = SingleGroupOfRange(key, rangeEnd)
                ?? throw new ArgumentException($"a watch follows one group's revisions, and this range's keys may be in any of the store's {layout.Shards.Count} groups: watch a key, or a prefix that holds a hash tag such as '{{app}}/'");
            await foreach (var e in GroupGateway(group).Watch(key, rangeEnd, fromRevision, prevKv, cancellationToken).WithCancellation(cancellationToken)) yield return e;
            yield break;
        }
        var next = fromRevision;
        if (next <= 0)
        {
            // "From now" is the group's revision as a linearizable read finds it, so a watch that moves to another
            // replica resumes from the same point whichever replica served it first.
            var now = await Execute(KvRequest.Range(key, rangeEnd, limit: 1, keysOnly: true));
            if (now.Status != KvStatus.Ok) throw new InvalidOperationException($"could not read the group's revision to watch from: {now.Error ?? now.Status.ToString()}");
            next = now.Revision + 1;
        }
        var sent = new HashSet<(string, KvWatchEventType)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var members = await GetMembersAsync();
            // A replica on this silo first: a watch is served from any replica's applied log.
            var order = _route.ReadOrder(members, IsOnThisSilo).ToArray();
            if (order.Length == 0) throw new InvalidOperationException($"unknown group '{Group}': no replicas are registered");
            var failed = 0;
            // A replica that restarted or installed a snapshot keeps no older history: the watch ends Compacted only
            // when every replica says so, with the oldest revision any of them can resume from.
            KvWatchEvent? compacted = null;
            var compactedCount = 0;
            foreach (var replica in order)
            {
                var stream = Replica(replica).Watch(key, rangeEnd, next, prevKv, cancellationToken).GetAsyncEnumerator(cancellationToken);
                var ended = false;
                while (!ended)
                {
                    KvWatchEvent[] items;
                    try
                    {
                        if (!await stream.MoveNextAsync()) break;
                        items = stream.Current;
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The replica stopped or its silo died: resume at the next one, from the revision of the last sent.
                        logger.GatewayRequestFailed(ex, Group, replica);
                        failed++;
                        break;
                    }
                    foreach (var item in items)
                    {
                        if (item.Type == KvWatchEventType.Compacted)
                        {
                            compacted = compacted is null || item.CompactRevision < compacted.CompactRevision ? item : compacted;
                            compactedCount++;
                            ended = true;
                            break;
                        }
                        // A transaction's changes share a revision: resume at it, and skip the ones already sent.
                        if (item.Revision != next) sent.Clear();
                        if (!sent.Add((item.Entry?.Key ?? "", item.Type))) continue;
                        next = item.Revision;
                        yield return item;
                    }
                }
                await stream.DisposeAsync();
            }
            if (compacted is not null && compactedCount == order.Length)
            {
                yield return compacted;
                yield break;
            }
            if (failed > 0 || compacted is not null) await Task.Delay(_options.TickInterval, timeProvider, cancellationToken);
        }
    }
}
