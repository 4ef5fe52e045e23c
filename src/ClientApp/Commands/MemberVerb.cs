using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Orleans.Raft.ClientApp.Commands;

/// <summary>'member list|add|remove|events': the group's configuration, changed one replica at a time, and the steps taken.</summary>
public sealed class MemberVerb : IVerb
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public int Order => 62;

    public Command Create(ClientContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "How to print the members", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var list = new Command("list", "Print the group's voters and learners, each with its node and whether it is live") { output };
        list.SetAction(r => context.RunAsync(r, async client =>
        {
            var members = await Membership(client, r).List();
            if (r.GetValue(output) == "json") await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(members, Json));
            else WriteTable(context.IO.Out, members);
            return ExitCodes.Ok;
        }));

        var node = new Option<string?>("--node") { Description = "The node to put it on (default: a live node holding none of the group's replicas)", HelpName = "NODE" };
        node.Validators.Add(r => NameValidator.Check(r, "node"));
        var add = new Command("add", "Add a replica under a fresh name as a learner; the leader promotes it to voter once it has caught up") { node };
        add.SetAction(r => context.RunAsync(r, async client =>
        {
            await context.IO.Out.WriteLineAsync(await Membership(client, r).Add(r.GetValue(node)));
            return ExitCodes.Ok;
        }));

        var replica = new Argument<string>("REPLICA") { Description = "The replica to remove" };
        replica.Validators.Add(r => NameValidator.Check(r, "replica"));
        var remove = new Command("remove", "Remove REPLICA (leadership moves first if it leads); refused below a majority of live voters or while a change is pending") { replica };
        remove.SetAction(r => context.RunAsync(r, async client =>
        {
            await context.IO.Out.WriteLineAsync(await Membership(client, r).Remove(r.GetValue(replica)!));
            return ExitCodes.Ok;
        }));

        var after = new Option<long>("--after") { Description = "Only the steps after this sequence number", DefaultValueFactory = _ => 0, HelpName = "SEQ" };
        after.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0) r.AddError("--after must be 0 or more");
        });
        var eventsOutput = new Option<string>("--output", "-o") { Description = "How to print the steps", DefaultValueFactory = _ => "text" };
        eventsOutput.AcceptOnlyFromAmong("text", "json");
        var events = new Command("events", "Print the recent steps of membership operations (self-repair's too) and refusals, oldest first: the silo's in-memory record") { after, eventsOutput };
        events.SetAction(r => context.RunAsync(r, async client =>
        {
            var page = await Membership(client, r).Events(r.GetValue(after));
            if (r.GetValue(eventsOutput) == "json")
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(page, Json));
                return ExitCodes.Ok;
            }
            if (page.Missed > 0) await context.IO.Out.WriteLineAsync($"({page.Missed} earlier step{(page.Missed == 1 ? "" : "s")} no longer held)");
            foreach (var e in page.Events) await context.IO.Out.WriteLineAsync(FormatEvent(e));
            return ExitCodes.Ok;
        }));

        return new Command("member", "The group's members: list, add, remove, events") { list, add, remove, events };
    }

    private static IRaftMembershipGrain Membership(IClusterClient client, ParseResult r) => client.GetGrain<IRaftMembershipGrain>(GlobalOptions.GroupName(r));

    /// <summary>One line: sequence number, local time, operation and step; a refusal says so in its text.</summary>
    private static string FormatEvent(MembershipEvent e)
    {
        var text = e.Text.StartsWith(e.Operation, StringComparison.Ordinal) ? e.Text : $"{e.Operation}: {e.Text}";
        return FormattableString.Invariant($"{e.Sequence,4}  {e.Time.ToLocalTime():HH:mm:ss.fff}  {text}");
    }

    private static void WriteTable(TextWriter writer, MemberList members)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 240;
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "replica", "role", "node", "live", "leader", "applied" }) table.AddColumn(new TableColumn(column).NoWrap());
        foreach (var m in members.Members)
        {
            table.AddRow(new[]
            {
                m.Replica, m.Role.ToString().ToLowerInvariant(), m.Node ?? "-", m.Live ? "yes" : "no", m.IsLeader ? "*" : "",
                m.Live ? m.Applied.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
            }.Select(cell => new Text(cell)).ToArray());
        }
        console.Write(table);
        if (members.ChangePending) writer.WriteLine("a membership change is pending (not yet committed)");
    }
}
