namespace Orleans.Raft.ClientApp;

/// <summary>The silo gateway the client connects to: HOST:PORT.</summary>
public sealed record GatewayEndpoint(string Host, int Port)
{
    public const int DefaultPort = 30000;

    public static GatewayEndpoint Default { get; } = new("localhost", DefaultPort);

    public static bool TryParse(string value, out GatewayEndpoint endpoint)
    {
        var colon = value.LastIndexOf(':');
        var ok = colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is > 0 and <= 65535;
        endpoint = ok ? new GatewayEndpoint(value[..colon], int.Parse(value[(colon + 1)..])) : Default;
        return ok;
    }

    public override string ToString() => $"{Host}:{Port}";
}
