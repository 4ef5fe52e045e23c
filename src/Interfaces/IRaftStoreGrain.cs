namespace Orleans.Raft;

/// <summary>
/// A store split over several groups, as a whole (keyed by the store's name, Raft:Group): it balances the groups'
/// leaders over the nodes, and knows which nodes are being drained so it never moves leadership onto one.
/// </summary>
public interface IRaftStoreGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the leader balancer if it is not running: a reminder keeps this grain alive, so the balancer survives the
    /// loss of any one silo. Every node asks when it starts; a store of one group has nothing to balance.
    /// </summary>
    Task StartBalancing();

    /// <summary>One balancing step now: moves at most one group's leadership. Says what it did, or null when nothing needed moving.</summary>
    Task<string?> BalanceLeaders();

    /// <summary>
    /// Marks a node as being drained, or no longer: the balancer moves no leadership onto it meanwhile. A mark lapses
    /// after a while unless renewed, so a drain whose caller died does not pin it for ever.
    /// </summary>
    Task SetDraining(string node, bool draining);

    /// <summary>
    /// Checks a starting node's number of groups against the store's: the first node's since this grain activated, and
    /// what the groups' directories (which running replicas fill) show. Null when it agrees; else why not.
    /// </summary>
    Task<string?> CheckGroups(string node, int groups);
}
