using System.CommandLine;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.Bench;

/// <summary>A comma-separated list of Raft:ReadMode values, such as "--read-modes ReadIndex,Lease,Log"; any case, each once.</summary>
internal static class ReadModeListOption
{
    public static Option<string[]> Create(string name, string description, string[] defaults) => new(name)
    {
        Description = $"{description}, comma-separated ({string.Join(", ", Enum.GetNames<RaftReadMode>())}; default {string.Join(",", defaults)})",
        HelpName = "MODE,MODE,...",
        DefaultValueFactory = _ => defaults,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            var modes = new List<string>();
            foreach (var part in text.Split(','))
            {
                if (!Enum.TryParse<RaftReadMode>(part.Trim(), ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(part, out _))
                {
                    r.AddError($"{name} wants {string.Join(", ", Enum.GetNames<RaftReadMode>())}, comma-separated, got '{part}'");
                    return [];
                }
                if (modes.Contains(mode.ToString()))
                {
                    r.AddError($"{name} names {mode} twice");
                    return [];
                }
                modes.Add(mode.ToString());
            }
            return [.. modes];
        },
    };
}
