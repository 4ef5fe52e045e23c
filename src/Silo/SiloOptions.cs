using System.Net;

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

    /// <summary>The silo port of the primary silo (instance 0), which every other silo joins (Development clustering).</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>
    /// The IP address other silos and clients reach this silo at, and the one its silo and gateway ports listen on
    /// (Redis clustering); 127.0.0.1 when unset.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Parses <see cref="AdvertisedAddress"/>: null when unset; throws <see cref="SiloConfigurationException"/> when malformed.</summary>
    public IPAddress? ParseAdvertisedAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedAddress)) return null;
        if (IPAddress.TryParse(AdvertisedAddress.Trim(), out var address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
            return address;
        throw new SiloConfigurationException(
            $"{SectionName}:{nameof(AdvertisedAddress)} must be this machine's IP address as the other silos reach it, not '{AdvertisedAddress}'");
    }
}
