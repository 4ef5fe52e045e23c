using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class DeleteVerb : IVerb
{
    public int Order => 30;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var command = new Command("delete", "Delete KEY") { key };
        command.SetAction(r => KeyRequests.RunAsync(context, r, KvRequest.Delete(r.GetValue(key)!)));
        return command;
    }
}
