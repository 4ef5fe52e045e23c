using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>
/// The group's replicas, like 'etcdctl endpoint status -w table|json'; for a store split over several groups, one row
/// per group (leader, node, term, commit, lag), and '--group G' for one group's replicas. Exit 1 when a group has no leader.
/// </summary>
public sealed class StatusVerb : IVerb
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public int Order => 50;

    public Command Create(ClientContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "How to print the replicas", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("status",
            "Print the group's replicas: role, term, leader, indexes, silo; for a store of several groups, a row per group (--group G for one); exit 1 if a group has no leader") { output };
        command.SetAction(r => context.RunAsync(r, async client =>
        {
            var group = GlobalOptions.GroupName(r);
            var gateway = client.GetGrain<IKeyValueGatewayGrain>(group);
            if ((await gateway.GetShardMap()).Count > 1) return await WriteGroupsAsync(context, await gateway.GetGroups(), r.GetValue(output) == "json");
            var statuses = await gateway.GetStatus();
            if (statuses.Length == 0)
            {
                await context.IO.Error.WriteLineAsync($"error: unknown group '{group}': no replicas are registered");
                return ExitCodes.RequestFailed;
            }
            var rows = statuses.Select(Row.From).ToArray();
            if (r.GetValue(output) == "json") await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(rows, Json));
            else WriteTable(context.IO.Out, rows);
            if (statuses.Any(s => s.Error is null && s.Role == ReplicaRole.Leader)) return ExitCodes.Ok;
            await context.IO.Error.WriteLineAsync($"error: no leader in group '{group}'");
            return ExitCodes.RequestFailed;
        }));
        return command;
    }

    /// <summary>One row per group of a store, then how many groups each node leads.</summary>
    private static async Task<int> WriteGroupsAsync(ClientContext context, GroupSummary[] groups, bool json)
    {
        if (json)
        {
            await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(groups, Json));
        }
        else
        {
            var console = PlainConsole(context.IO.Out);
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in new[] { "group", "leader", "node", "term", "commit", "lag", "live" }) table.AddColumn(new TableColumn(column).NoWrap());
            foreach (var g in groups)
            {
                table.AddRow(new[] { g.Group, g.Leader ?? "-", g.LeaderNode ?? "-", N(g.Term), N(g.CommitIndex), N(g.Lag), $"{g.Live}/{g.Members.Length}" }
                    .Select(cell => new Text(cell)).ToArray());
            }
            console.Write(table);
            var leaders = groups.Where(g => g.LeaderNode is not null).CountBy(g => g.LeaderNode!).OrderBy(c => c.Key, StringComparer.Ordinal);
            await context.IO.Out.WriteLineAsync($"leaders per node: {string.Join(", ", leaders.Select(c => $"{c.Key} {c.Value}"))}");
        }
        var leaderless = groups.Where(g => g.Leader is null).Select(g => g.Group).ToArray();
        if (leaderless.Length == 0) return ExitCodes.Ok;
        await context.IO.Error.WriteLineAsync($"error: no leader in group{(leaderless.Length == 1 ? "" : "s")} {string.Join(", ", leaderless.Select(g => $"'{g}'"))}");
        return ExitCodes.RequestFailed;
    }

    private static IAnsiConsole PlainConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 240;
        return console;
    }

    private static void WriteTable(TextWriter writer, Row[] rows)
    {
        var console = PlainConsole(writer);
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "replica", "role", "member", "term", "leader", "commit", "applied", "last index", "last term", "quiesced", "node", "silo", "error" })
            table.AddColumn(new TableColumn(column).NoWrap());
        foreach (var row in rows)
        {
            table.AddRow(new[] { row.Replica, row.Role, row.Member ?? "-", N(row.Term), row.Leader ?? "-", N(row.Commit), N(row.Applied), N(row.LastIndex), N(row.LastTerm), row.Quiesced ?? "-", row.Node ?? "-", row.Silo ?? "-", row.Error ?? "" }
                .Select(cell => new Text(cell)).ToArray());
        }
        console.Write(table);
    }

    private static string N(long? n) => n?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    /// <summary>
    /// One replica; the numbers are null when it is stopped or unreachable, since what it last reported is stale.
    /// Quiesced: "yes" when its group is idle and its timers are stopped.
    /// </summary>
    private sealed record Row(string Replica, string Role, string? Member, long? Term, string? Leader, long? Commit, long? Applied, long? LastIndex, long? LastTerm,
        string? Quiesced, string? Node, string? Silo, string? Error)
    {
        public static Row From(ReplicaStatus s)
        {
            var role = s.Error is not null ? "Unreachable" : s.Role.ToString();
            if (!s.IsLive)
                return new Row(s.Replica, role, null, null, null, null, null, null, null, null, s.Node, s.Silo, s.Error is null ? null : ClientContext.OneLine(s.Error));
            var member = s.Membership switch
            {
                MemberRole.Voter => "voter",
                MemberRole.Learner => "learner",
                _ => null,
            };
            return new Row(s.Replica, role, member, s.CurrentTerm, s.LeaderId, s.CommitIndex, s.LastApplied, s.LastLogIndex, s.LastLogTerm, s.Quiesced ? "yes" : "no", s.Node, s.Silo, null);
        }
    }
}
