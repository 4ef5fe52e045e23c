using System.CommandLine;

namespace Orleans.Raft.ClientApp;

/// <summary>The options every verb accepts, before or after the verb.</summary>
public static class GlobalOptions
{
    public static readonly Option<GatewayList> Gateway = new("--gateway")
    {
        Description = "The silo gateway to connect to (HOST:PORT; the gateway port, not the HTTP port), or several, comma-separated: any one that answers",
        HelpName = "HOST:PORT[,HOST:PORT...]",
        Recursive = true,
        DefaultValueFactory = _ => GatewayList.Default,
        CustomParser = r =>
        {
            if (GatewayList.TryParse(r.Tokens.Single().Value, out var list, out var bad)) return list;
            r.AddError($"--gateway wants HOST:PORT, got '{bad}'");
            return GatewayList.Default;
        },
    };

    public static readonly Option<string?> Group = new("--group")
    {
        Description = "The Raft group (default: the store, 'default'); on a store of several groups, membership and fault commands need one",
        HelpName = "NAME",
        Recursive = true,
        Validators = { r => NameValidator.Check(r, "group") },
    };

    public static readonly Option<string?> Via = new("--via")
    {
        Description = "Send a key request through this replica, which forwards it to the leader",
        HelpName = "REPLICA",
        Recursive = true,
        Validators = { r => NameValidator.Check(r, "replica") },
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Log the Orleans client to stderr",
        Recursive = true,
    };

    public static string GroupName(ParseResult result) => result.GetValue(Group) ?? "default";
}
