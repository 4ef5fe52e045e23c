using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

public sealed class AppendVerb : IVerb
{
    public int Order => 45;

    public Command Create(ClientContext context)
    {
        var key = KeyRequests.Key();
        var suffix = new Argument<string>("SUFFIX") { Description = "The text to add at the end of KEY's value (a missing key starts empty); applied once, even when retried" };
        var command = new Command("append", "Append SUFFIX to KEY's value") { key, suffix };
        command.SetAction(r => KeyRequests.RunAsync(context, r, KvRequest.Append(r.GetValue(key)!, r.GetValue(suffix)!)));
        return command;
    }
}
