using Orleans.Raft.Bench;
using Orleans.Raft.ClientApp;

return await BenchCli.InvokeAsync(args, ClientIO.FromConsole());
