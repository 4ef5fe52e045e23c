namespace Orleans.Raft.ClientApp;

/// <summary>The gateway address answers HTTP: the user gave the silo's web port, not its Orleans gateway port.</summary>
public sealed class WrongPortException(GatewayEndpoint gateway)
    : Exception($"{gateway} speaks HTTP: that is the silo's web port; the Orleans gateway port is {GatewayEndpoint.DefaultPort} by default (--gateway {gateway.Host}:{GatewayEndpoint.DefaultPort})");
