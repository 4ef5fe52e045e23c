namespace Orleans.Raft.Client;

/// <summary>
/// A held lock. Token is the revision that created its key: it rises with each holder, so a resource can refuse a
/// request that carries an older token (a fencing token). Lost fires if the lock's lease is lost; then the lock may be
/// held by another. Dispose (or UnlockAsync) releases it.
/// </summary>
public sealed class RaftLock : IAsyncDisposable
{
    private readonly IRaftKeyValueStore _store;
    private readonly LeaseKeeper _keeper;
    private int _released;

    internal RaftLock(IRaftKeyValueStore store, string name, string key, long token, LeaseKeeper keeper)
    {
        _store = store;
        _keeper = keeper;
        Name = name;
        Key = key;
        Token = token;
    }

    /// <summary>The lock's name.</summary>
    public string Name { get; }

    /// <summary>The lock's key in the store: its name's prefix and the lease's id.</summary>
    public string Key { get; }

    /// <summary>The fencing token: the revision that created the lock's key.</summary>
    public long Token { get; }

    /// <summary>The lease the lock holds, kept alive while it is held.</summary>
    public long Lease => _keeper.Lease;

    /// <summary>Fires when the lease is lost: another may hold the lock then.</summary>
    public CancellationToken Lost => _keeper.Lost;

    /// <summary>Stops renewing the lease without releasing the lock, as a crashed holder would: it goes when the lease expires.</summary>
    internal ValueTask AbandonAsync()
    {
        Interlocked.Exchange(ref _released, 1);
        return _keeper.DisposeAsync();
    }

    /// <summary>Releases the lock: deletes its key and revokes its lease (a lost lease is already gone).</summary>
    public async Task UnlockAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        await _keeper.DisposeAsync();
        try
        {
            await _store.RevokeLeaseAsync(Lease, cancellationToken);
        }
        catch (RaftLeaseNotFoundException)
        {
        }
    }

    /// <summary>Releases the lock (see UnlockAsync).</summary>
    public async ValueTask DisposeAsync() => await UnlockAsync();
}
