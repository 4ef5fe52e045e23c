using System.CommandLine;
using Orleans.Raft.ClientApp;

namespace Orleans.Raft.Bench;

/// <summary>'transfer': planned leadership transfers in a three-node group under a closed-loop write load.</summary>
public sealed class TransferVerb : IVerb
{
    public int Order => 41;

    public Command Create(ClientContext context)
    {
        var transfers = Numbers.Option("--transfers", "How many leadership transfers, each to the next replica in turn", 20, 1, 1000, "transfers");
        var clients = Numbers.Option("--clients", "Concurrent closed-loop writing clients", 16, 1, 1024, "clients");
        var json = new Option<bool>("--json") { Description = "Print the transfers and the summary as JSON instead of tables" };
        var command = new Command("transfer",
            "Start redis-server and three node processes, keep writing clients going, and hand leadership from replica to replica: failed requests, latency during the transfers, and the longest stall")
        {
            transfers,
            clients,
            json,
        };
        command.SetAction((r, cancellation) => TransferBenchmark.RunAsync(
            (int)r.GetValue(transfers), (int)r.GetValue(clients), r.GetValue(json), r.GetValue(GlobalOptions.Verbose), context.IO, cancellation));
        return command;
    }
}
