namespace Orleans.Raft.Client;

/// <summary>
/// Leadership won in an election: held while its lease lives. Lost fires if the lease is lost. Revision is the one that
/// created the leader's key: it rises with each leader, a fencing token as a lock's.
/// </summary>
public sealed class RaftLeadership : IAsyncDisposable
{
    private readonly IRaftKeyValueStore _store;
    private readonly LeaseKeeper _keeper;
    private int _resigned;

    internal RaftLeadership(IRaftKeyValueStore store, string election, string key, long revision, string value, LeaseKeeper keeper)
    {
        _store = store;
        _keeper = keeper;
        Election = election;
        Key = key;
        Revision = revision;
        Value = value;
    }

    /// <summary>The election's name.</summary>
    public string Election { get; }

    /// <summary>The leader's key in the store: the election's prefix and the lease's id.</summary>
    public string Key { get; }

    /// <summary>The revision that created the leader's key: rises with each leader.</summary>
    public long Revision { get; }

    /// <summary>The value it last proclaimed.</summary>
    public string Value { get; private set; }

    /// <summary>Fires when the lease is lost: another may lead then.</summary>
    public CancellationToken Lost => _keeper.Lost;

    /// <summary>Announces a new value, while still leader (its key is the one it created); false when it is not.</summary>
    public async Task<bool> ProclaimAsync(string value, CancellationToken cancellationToken = default)
    {
        var txn = new KvTxn([new KvCompare(Key, KvCompareTarget.CreateRevision, KvCompareOperator.Equal, Number: Revision)], [KvTxnOp.Put(Key, value, _keeper.Lease)], []);
        var result = await _store.TxnAsync(txn, cancellationToken);
        if (result.Succeeded) Value = value;
        return result.Succeeded;
    }

    /// <summary>Steps down: deletes its key and revokes its lease, so the next candidate leads.</summary>
    public async Task ResignAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _resigned, 1) == 1) return;
        await _keeper.DisposeAsync();
        try
        {
            await _store.RevokeLeaseAsync(_keeper.Lease, cancellationToken);
        }
        catch (RaftLeaseNotFoundException)
        {
        }
    }

    /// <summary>Resigns (see ResignAsync).</summary>
    public async ValueTask DisposeAsync() => await ResignAsync();
}
