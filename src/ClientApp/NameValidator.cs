using System.CommandLine.Parsing;
using Orleans.Raft.Hosting;

namespace Orleans.Raft.ClientApp;

/// <summary>Checks names on the command line with the cluster's own rule, so a bad name is a usage error.</summary>
public static class NameValidator
{
    public static void Check(SymbolResult result, string what)
    {
        foreach (var token in result.Tokens)
        {
            foreach (var name in token.Value.Split(','))
            {
                if (!ReplicaKey.IsValidName(name)) result.AddError($"'{name}' is not a valid {what} name (letters, digits, '-', '_', '.')");
            }
        }
    }

    public static string[] SplitList(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
