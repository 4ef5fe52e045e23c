namespace Orleans.Raft.ClientApp;

/// <summary>Gives a command a cluster client: a fresh connection to the gateways, or in tests a client that already exists.</summary>
public interface IClusterConnector
{
    Task<ConnectedClient> ConnectAsync(GatewayList gateways, bool verbose);
}
