namespace Orleans.Raft.Silo;

/// <summary>Where the Orleans membership table and the reminders live.</summary>
public enum ClusterProvider
{
    /// <summary>In memory on instance 0: one machine only, and instance 0 is a single point of failure.</summary>
    Development,

    /// <summary>A Redis server outside the silos: any silo may die and the others carry on.</summary>
    Redis,
}
