using System.CommandLine;
using Orleans.Raft.ClientApp.Scripts;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>Runs a script against the cluster at --gateway; 'dotnet run --project src/Bench -- run FILE' runs one in-process.</summary>
public sealed class RunVerb : IVerb
{
    public int Order => 70;

    public Command Create(ClientContext context)
    {
        var file = ScriptFile.Path();
        var tick = ScriptFile.TickMs();
        var command = new Command("run", "Run a scenario script in a fresh group of the running cluster") { file, tick };
        command.SetAction(async r =>
        {
            if (ScriptFile.Load(r.GetValue(file)!, context.IO) is not { } script) return ExitCodes.Usage;
            return await context.RunAsync(r, client =>
                ScriptFile.RunAsync(client, script, TimeSpan.FromMilliseconds(r.GetValue(tick)), r.GetValue(GlobalOptions.Group), context.IO.Out));
        });
        return command;
    }
}
