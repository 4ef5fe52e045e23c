using System.CommandLine;

namespace Orleans.Raft.ClientApp;

/// <summary>
/// One client command, in a file of its own under Commands/. The client finds every verb in its assembly, so adding
/// a command is adding a file: the command list, the help and the completions all come from these.
/// </summary>
public interface IVerb
{
    /// <summary>Where the command appears in help: keys first, then the group, scripts, faults, the shell.</summary>
    int Order { get; }

    Command Create(ClientContext context);
}
