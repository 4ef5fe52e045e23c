namespace Orleans.Raft.Hosting;

/// <summary>
/// Changes this silo's replicas see (leaders, configurations, starts and stops), raised in process as they happen, for
/// a host that keeps a timeline: it learns of them without asking any replica for its status. Handlers run on the
/// replica's turn, so they must be quick and must not throw.
/// </summary>
public sealed class ReplicaEvents
{
    public event Action<ReplicaEvent>? Raised;

    public void Raise(ReplicaEvent e)
    {
        try
        {
            Raised?.Invoke(e);
        }
        catch
        {
            // A host's handler must never break a replica.
        }
    }
}
