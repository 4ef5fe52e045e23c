using System.Diagnostics.CodeAnalysis;

namespace Orleans.Raft.ClientApp;

/// <summary>The silo gateways the client may use: HOST:PORT[,HOST:PORT...]. Any one that answers will do.</summary>
public sealed class GatewayList
{
    public GatewayList(IReadOnlyList<GatewayEndpoint> endpoints)
    {
        if (endpoints.Count == 0) throw new ArgumentException("at least one gateway is needed", nameof(endpoints));
        Endpoints = endpoints;
    }

    public static GatewayList Default { get; } = new([GatewayEndpoint.Default]);

    public IReadOnlyList<GatewayEndpoint> Endpoints { get; }

    /// <summary>Parses a comma-separated list; on failure <paramref name="bad"/> is the entry that is not HOST:PORT.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out GatewayList? list, out string bad)
    {
        var endpoints = new List<GatewayEndpoint>();
        foreach (var part in value.Split(','))
        {
            if (!GatewayEndpoint.TryParse(part.Trim(), out var endpoint))
            {
                (list, bad) = (null, part);
                return false;
            }
            endpoints.Add(endpoint);
        }
        (list, bad) = (new GatewayList(endpoints), "");
        return true;
    }

    public override string ToString() => string.Join(',', Endpoints);
}
