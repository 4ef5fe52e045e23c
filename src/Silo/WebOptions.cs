using System.Net;

namespace Orleans.Raft.Silo;

/// <summary>The web host (dashboard, Raft console and API), bound from the "Web" section.</summary>
public sealed class WebOptions
{
    public const string SectionName = "Web";

    /// <summary>The IP address to listen on; "*" or "0.0.0.0" means every interface. Loopback unless a token is set.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The admin token. When set, every request (API, console, dashboard) must present it or the read-only token:
    /// "Authorization: Bearer TOKEN", "?access_token=TOKEN", or the cookie the console sets after a page load with the
    /// query parameter. It allows everything: writes, fault injection, membership and leadership changes.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// A token for reads and watches only (GET and HEAD requests: keys, ranges, watches, status, metrics, the console's
    /// pages). A write, a fault or a membership change with it is refused with 403. Needs <see cref="AccessToken"/>.
    /// </summary>
    public string? ReadOnlyToken { get; set; }

    /// <summary>Wrong or missing tokens a client address may present within <see cref="AuthFailureWindow"/> before it is refused with 429.</summary>
    public int AuthFailureLimit { get; set; } = 10;

    /// <summary>The window of <see cref="AuthFailureLimit"/>: a client that reached the limit is refused until its window ends.</summary>
    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// /readyz: the most committed entries (the leader's commit index minus its applied index) a replica on this node
    /// may trail by and still count as caught up.
    /// </summary>
    public long ReadyMaxLag { get; set; } = 1000;

    /// <summary>Parses <see cref="BindAddress"/>; throws <see cref="SiloConfigurationException"/> with the reason.</summary>
    public IPAddress ParseBindAddress()
    {
        var text = BindAddress.Trim();
        if (text == "*") return IPAddress.Any;
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(text, out var address)) return address;
        throw new SiloConfigurationException($"Web:BindAddress must be an IP address, '*' or 'localhost', not '{BindAddress}'");
    }

    /// <summary>Refuses a non-loopback address without a token: the API can stop replicas and change data.</summary>
    public IPAddress Validate()
    {
        if (ReadyMaxLag < 0) throw new SiloConfigurationException($"Web:ReadyMaxLag must be 0 or more, not {ReadyMaxLag}");
        if (!string.IsNullOrEmpty(ReadOnlyToken) && string.IsNullOrEmpty(AccessToken))
            throw new SiloConfigurationException("Web:ReadOnlyToken is set without Web:AccessToken: set the admin token too, or nobody could write");
        if (!string.IsNullOrEmpty(ReadOnlyToken) && ReadOnlyToken == AccessToken)
            throw new SiloConfigurationException("Web:ReadOnlyToken must differ from Web:AccessToken (the admin token)");
        if (AuthFailureLimit < 1) throw new SiloConfigurationException($"Web:AuthFailureLimit must be at least 1, not {AuthFailureLimit}");
        if (AuthFailureWindow <= TimeSpan.Zero) throw new SiloConfigurationException($"Web:AuthFailureWindow must be more than 0, not {AuthFailureWindow}");
        var address = ParseBindAddress();
        if (!IPAddress.IsLoopback(address) && string.IsNullOrWhiteSpace(AccessToken))
        {
            throw new SiloConfigurationException(
                $"refusing to listen on {address}, which is not a loopback address, without an access token: set Web:AccessToken " +
                "(e.g. the environment variable Web__AccessToken) or bind to 127.0.0.1 (Web:BindAddress)");
        }
        return address;
    }
}
