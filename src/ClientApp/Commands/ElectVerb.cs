using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class ElectVerb : IVerb
{
    public int Order => 60;

    public Command Create(ClientContext context)
    {
        var replica = new Argument<string>("REPLICA") { Description = "The replica that campaigns (the paper's debug-startElection)" };
        replica.Validators.Add(r => NameValidator.Check(r, "replica"));
        var command = new Command("elect", "Start an election on REPLICA") { replica };
        command.SetAction(r => context.RunAsync(r, async client =>
        {
            var name = r.GetValue(replica)!;
            await client.GetGrain<IKeyValueGatewayGrain>(GlobalOptions.GroupName(r)).StartElection(name);
            await context.IO.Out.WriteLineAsync($"election started on {name}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
