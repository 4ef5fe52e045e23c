using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>The tools that start a silo in this process: 'run FILE' in-process, 'bench', 'startup'.</summary>
public static class BenchCli
{
    public static RootCommand Build(ClientIO io)
    {
        var root = new RootCommand("Orleans.Raft tools that start an in-process silo: scripts without a cluster, and benchmarks.") { GlobalOptions.Verbose };
        var context = new ClientContext(io, ClusterConnection.Connector);
        foreach (var verb in ClientCli.Discover(typeof(BenchCli).Assembly)) root.Add(verb.Create(context));
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, ClientIO io) => ClientCli.InvokeAsync(Build(io), args, io);
}
