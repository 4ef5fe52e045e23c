using Orleans.Raft.Client;

namespace Orleans.Raft.ClientApp;

/// <summary>Gives a command a cluster client: a fresh connection to the gateways, or in tests a client that already exists.</summary>
public interface IClusterConnector
{
    Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose);

    /// <summary>Over TLS when <paramref name="tls"/> is set; a connector that makes no connection of its own ignores it.</summary>
    Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose, RaftTlsSettings? tls) => ConnectAsync(gateways, verbose);
}
