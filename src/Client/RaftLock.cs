namespace Orleans.Raft.Client;

/// <summary>
/// A held lock. Token is the revision that created its key: it rises with each holder, so a resource can refuse a
/// request that carries an older token (a fencing token). Lost fires if the lock's lease is lost; then the lock may be
/// held by another. Dispose (or UnlockAsync) releases it.
/// </summary>
public sealed class RaftLock : RaftLeaseHold
{
    internal RaftLock(IRaftKeyValueStore store, string name, string key, long token, LeaseKeeper keeper) : base(store, key, keeper)
    {
        Name = name;
        Token = token;
    }

    /// <summary>The lock's name.</summary>
    public string Name { get; }

    /// <summary>The fencing token: the revision that created the lock's key.</summary>
    public long Token { get; }

    /// <summary>Releases the lock: deletes its key and revokes its lease (a lost lease is already gone).</summary>
    public Task UnlockAsync(CancellationToken cancellationToken = default) => ReleaseAsync(cancellationToken);
}
