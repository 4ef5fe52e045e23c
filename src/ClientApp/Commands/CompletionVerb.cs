using System.CommandLine;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>Prints a shell function that asks the client itself for completions, through System.CommandLine's [suggest] directive.</summary>
public sealed class CompletionVerb : IVerb
{
    public int Order => 900;

    public Command Create(ClientContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "The shell to complete in", DefaultValueFactory = _ => "bash" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var name = new Option<string>("--name")
        {
            Description = "The command name to complete, e.g. a symlink's",
            DefaultValueFactory = _ => RootCommand.ExecutableName,
        };
        var command = new Command("completion", "Print shell completion: eval \"$(Orleans.Raft.ClientApp completion bash)\"") { shell, name };
        command.SetAction(async r =>
        {
            // Call this very binary, whatever name the user types: under 'dotnet', through the host.
            var self = Environment.ProcessPath ?? "dotnet";
            var invoke = Path.GetFileNameWithoutExtension(self) == "dotnet" ? $"'{self}' '{typeof(CompletionVerb).Assembly.Location}'" : $"'{self}'";
            var prefix = r.GetValue(shell) == "zsh" ? "autoload -U +X bashcompinit && bashcompinit\n" : "";
            await context.IO.Out.WriteAsync(prefix + $$"""
                _orleans_raft_client() {
                  local IFS=$'\n'
                  COMPREPLY=($({{invoke}} "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
                }
                complete -o default -F _orleans_raft_client {{r.GetValue(name)}}

                """);
            return ExitCodes.Ok;
        });
        return command;
    }
}
