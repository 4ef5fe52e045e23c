using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class GetVerb : IVerb
{
    public int Order => 10;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var consistency = KeyRequests.Consistency();
        var command = new Command("get", "Print the value of KEY, alone on stdout") { key, consistency };
        command.SetAction(r => KeyRequests.RunAsync(context, r, KvRequest.Get(r.GetValue(key)!, r.GetValue(consistency))));
        return command;
    }
}
