namespace Orleans.Raft.Client;

/// <summary>
/// Leadership won in an election: held while its lease lives. Lost fires if the lease is lost. Revision is the one that
/// created the leader's key: it rises with each leader, a fencing token as a lock's. Dispose (or ResignAsync) steps down.
/// </summary>
public sealed class RaftLeadership : RaftLeaseHold
{
    internal RaftLeadership(IRaftKeyValueStore store, string election, string key, long revision, string value, LeaseKeeper keeper) : base(store, key, keeper)
    {
        Election = election;
        Revision = revision;
        Value = value;
    }

    /// <summary>The election's name.</summary>
    public string Election { get; }

    /// <summary>The revision that created the leader's key: rises with each leader.</summary>
    public long Revision { get; }

    /// <summary>The value it last proclaimed.</summary>
    public string Value { get; private set; }

    /// <summary>Announces a new value, while still leader (its key is the one it created); false when it is not.</summary>
    public async Task<bool> ProclaimAsync(string value, CancellationToken cancellationToken = default)
    {
        var txn = new KvTxn([new KvCompare(Key, KvCompareTarget.CreateRevision, KvCompareOperator.Equal, Number: Revision)], [KvTxnOp.Put(Key, value, Lease)], []);
        var result = await Store.TxnAsync(txn, cancellationToken);
        if (result.Succeeded) Value = value;
        return result.Succeeded;
    }

    /// <summary>Steps down: deletes its key and revokes its lease, so the next candidate leads.</summary>
    public Task ResignAsync(CancellationToken cancellationToken = default) => ReleaseAsync(cancellationToken);
}
