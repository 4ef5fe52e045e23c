namespace Orleans.Raft.Client;

/// <summary>
/// Something held in the store through a key attached to a lease that is kept alive in the background: a lock or an
/// election's leadership. It is held while the lease lives; releasing it revokes the lease, which deletes the key.
/// </summary>
public abstract class RaftLeaseHold : IAsyncDisposable
{
    private readonly LeaseKeeper _keeper;
    private int _released;

    private protected RaftLeaseHold(IRaftKeyValueStore store, string key, LeaseKeeper keeper)
    {
        Store = store;
        Key = key;
        _keeper = keeper;
    }

    private protected IRaftKeyValueStore Store { get; }

    /// <summary>The key in the store: the name's prefix and the lease's id.</summary>
    public string Key { get; }

    /// <summary>The lease held, kept alive until released.</summary>
    public long Lease => _keeper.Lease;

    /// <summary>Fires when the lease is lost: another may hold it then.</summary>
    public CancellationToken Lost => _keeper.Lost;

    /// <summary>Stops renewing the lease without releasing, as a crashed holder would: it goes when the lease expires.</summary>
    internal ValueTask AbandonAsync()
    {
        Interlocked.Exchange(ref _released, 1);
        return _keeper.DisposeAsync();
    }

    /// <summary>Stops the keep-alives and revokes the lease (a lost lease is already gone); once, however often called.</summary>
    private protected async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        await _keeper.DisposeAsync();
        try
        {
            await Store.RevokeLeaseAsync(Lease, cancellationToken);
        }
        catch (RaftLeaseNotFoundException)
        {
        }
    }

    /// <summary>Releases what is held.</summary>
    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync(CancellationToken.None);
        GC.SuppressFinalize(this);
    }
}
