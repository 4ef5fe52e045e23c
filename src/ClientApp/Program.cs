using Orleans.Raft.ClientApp;

return await ClientCli.InvokeAsync(args, ClientIO.FromConsole(), ClusterConnection.Connector);
