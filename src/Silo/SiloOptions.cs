namespace Orleans.Raft.Silo;

/// <summary>Where this silo listens, bound from the "Silo" section.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Silo";

    public string ClusterId { get; set; } = "orleans-raft";
    public string ServiceId { get; set; } = "orleans-raft";

    /// <summary>
    /// 0 for the first silo on this machine. Instance N adds N to each port below and joins instance 0, so more
    /// silos start on one machine with no port clashes.
    /// </summary>
    public int Instance { get; set; }

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public int DashboardPort { get; set; } = 8080;

    /// <summary>The silo port of the primary silo (instance 0), which every other silo joins.</summary>
    public int PrimarySiloPort { get; set; } = 11111;
}
